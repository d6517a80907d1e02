"""``genlab sample``: draws from a saved model, optionally conditioned on a class."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genlab.cli.options import (
    ModelDir,
    Quiet,
    Seed,
    check_out,
    label_like,
    progress,
    say,
)
from genlab.jobs.generate import write_samples


def sample(
    model_dir: ModelDir,
    out: Annotated[Path, typer.Option("--out", "-o", help=".csv, .parquet, .npy or .png grid.")],
    n: Annotated[int, typer.Option("-n", help="Number of samples.")] = 16,
    condition: Annotated[
        str | None,
        typer.Option(help="Class label to condition on ('all' = one row per class in a grid)."),
    ] = None,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Draw N samples from a saved model and write them to --out."""
    from genlab.core.persistence import load_model

    model = load_model(model_dir)
    check_out(out, model.schema_)
    if condition == "all" and model.classes_ is not None:  # a grid row per class
        from genlab.jobs.condition import samples_per_class

        with progress(f"Sampling {n} per class"):
            X, labels = samples_per_class(model, n, random_state=seed)
        write_samples(X, out, model.schema_, ncols=n)
        n = len(labels)
    else:
        cond = None if condition is None else label_like(condition, model.classes_)
        with progress(f"Sampling {n}"):
            X = model.sample(n, condition=cond, random_state=seed)
        write_samples(X, out, model.schema_)
    say(f"Wrote {n} samples to {out}")
