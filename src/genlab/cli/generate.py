"""``genlab sample``: draws from a saved model, optionally conditioned on a class."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from genlab.cli.guards import check_memory, check_not_inputs
from genlab.cli.options import (
    ModelDir,
    Quiet,
    Seed,
    check_out,
    label_like,
    progress,
    say,
)
from genlab.core.errors import InputError
from genlab.jobs.generate import write_samples


def sample(
    model_dir: ModelDir,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help=".csv, .parquet, .npy or .png grid (text models: .jsonl, optional)."
        ),
    ] = None,
    n: Annotated[int, typer.Option("-n", help="Number of samples.")] = 16,
    condition: Annotated[
        str | None,
        typer.Option(help="Class label to condition on ('all' = one row per class in a grid)."),
    ] = None,
    prompt: Annotated[str | None, typer.Option(help="Text models: the text to continue.")] = None,
    max_new_tokens: Annotated[int, typer.Option(help="Text models: most bytes drawn.")] = 256,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Draw N samples from a saved model and write them to --out (text models: print them)."""
    from genlab.core.persistence import load_model

    model = load_model(model_dir)
    if getattr(model, "modality", "table") == "text":
        _sample_texts(model, n, prompt or "", max_new_tokens, seed, out)
        return
    if out is None or prompt is not None:
        raise InputError("sampling a table or image model needs --out and takes no --prompt")
    check_not_inputs([out], [model_dir])
    check_out(out, model.schema_)
    per_row = model.schema_.n_columns * (
        len(model.classes_) if condition == "all" and model.classes_ is not None else 1
    )
    check_memory(n * per_row, f"-n {n} samples of {model.schema_.n_columns} values")
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


def _sample_texts(
    model: Any, n: int, prompt: str, max_new_tokens: int, seed: int, out: Path | None
) -> None:
    """Print ``n`` continuations of ``prompt``; with ``out`` (.jsonl) also write one JSON
    string per line."""
    if out is not None and out.suffix != ".jsonl":
        raise InputError(f"text samples are written as .jsonl, got {out}")
    with progress(f"Sampling {n}"):
        texts = model.sample(n, prompt=prompt, max_new_tokens=max_new_tokens, random_state=seed)
    texts = [t if isinstance(t, str) else t.decode("utf-8", "replace") for t in texts]
    for text in texts:
        print(prompt + text)
        print("-" * 40)
    if out is not None:
        out.write_text("".join(json.dumps(t) + "\n" for t in texts))
        say(f"Wrote {n} samples to {out}")
