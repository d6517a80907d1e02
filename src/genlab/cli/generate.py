"""``genlab sample``: draws from a saved model, optionally conditioned on a class."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from genlab.cli.options import (
    ModelDir,
    Quiet,
    Seed,
    check_out,
    label_like,
    progress,
    say,
    write_output,
)


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
    cond: Any = None
    if condition == "all" and model.classes_ is not None:
        cond = np.repeat(model.classes_, n)  # (n_classes * n,): a grid row per class
        n = len(cond)
    elif condition is not None:
        cond = label_like(condition, model.classes_)
    with progress(f"Sampling {n}"):
        X = model.sample(n, condition=cond, random_state=seed)
    ncols = len(cond) // len(model.classes_) if condition == "all" else None
    write_output(X, out, model.schema_, ncols=ncols)
    say(f"Wrote {n} samples to {out}")
