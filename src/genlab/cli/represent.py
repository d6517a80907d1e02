"""``genlab encode`` (the latent code of every row) and ``genlab interpolate`` (decoded
points on latent paths between rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from genlab.cli.guards import NaValues, check_memory, check_not_inputs
from genlab.cli.options import Data, Quiet, check_out, label_like, progress, say
from genlab.core.errors import InputError
from genlab.jobs.generate import write_samples


def encode(
    model_dir: Annotated[Path, typer.Argument(help="Folder of a saved model with latents.")],
    data: Data,
    out: Annotated[Path, typer.Option("--out", "-o", help="Latents as .csv or .npy.")],
    label_column: Annotated[
        str | None,
        typer.Option(
            help="Column of DATA with class labels: written beside the latents, and "
            "the condition of a model fitted with labels. Bundled datasets: 'label'."
        ),
    ] = None,
    condition: Annotated[
        str | None, typer.Option(help="One class label to condition every row on.")
    ] = None,
    na_values: NaValues = None,
    quiet: Quiet = False,
) -> None:
    """Write the latent code of every row of DATA to --out (.csv or .npy).

    VAE and HierarchicalVAE: posterior means; Flow: z = f(x); GaussianMixture: cluster
    posteriors."""
    from genlab.core.persistence import load_model
    from genlab.data.sources import open_data
    from genlab.jobs.represent import encode as encode_rows

    model = load_model(model_dir)
    check_not_inputs([out], [model_dir, data])
    check_out(out, formats=(".csv", ".npy"))
    ds = open_data(data, label_column=label_column, na_values=na_values or ())
    cond = label_like(condition, model.classes_) if condition is not None else None
    if cond is None and model.classes_ is not None:
        cond = ds.y
    with progress(f"Encoding {len(ds)} rows"):
        Z = encode_rows(model, ds.X, condition=cond)  # (N, latent dims)
    _write_codes(Z, out, ds.y)
    say(f"Wrote {Z.shape[0]} codes of {Z.shape[1]} dimensions to {out}")


def _write_codes(Z: np.ndarray, out: Path, labels: Any) -> None:
    """Codes as .npy, or as a .csv table z1, z2, ... with the ``labels`` column if any."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".npy":
        np.save(out, Z, allow_pickle=False)
    else:
        table = pd.DataFrame(Z, columns=[f"z{j + 1}" for j in range(Z.shape[1])])
        if labels is not None:
            table["label"] = labels
        table.to_csv(out, index=False)


def interpolate(
    model_dir: Annotated[Path, typer.Argument(help="Folder of a saved VAE or Flow.")],
    data: Data,
    out: Annotated[Path, typer.Option("--out", "-o", help=".png strip(s), .csv or .npy.")],
    pair: Annotated[
        list[str] | None,
        typer.Option(help="Row numbers I,J of DATA to walk between; repeat for more strips."),
    ] = None,
    steps: Annotated[int, typer.Option(help="Points per strip, ends included.")] = 8,
    method: Annotated[str, typer.Option(help="'slerp' (great circle) or 'lerp'.")] = "slerp",
    condition: Annotated[
        str | None, typer.Option(help="Class label, for a model fitted with labels.")
    ] = None,
    na_values: NaValues = None,
    quiet: Quiet = False,
) -> None:
    """Decode points on the latent path between pairs of rows of DATA (one strip per pair)."""
    from genlab.core.persistence import load_model
    from genlab.data.sources import open_data
    from genlab.jobs.represent import interpolate as walk

    model = load_model(model_dir)
    check_not_inputs([out], [model_dir, data])
    check_out(out, model.schema_)
    if steps < 2:
        raise InputError(f"--steps must be at least 2 (the two ends), got {steps}")
    pairs = pair or ["0,1"]
    check_memory(len(pairs) * steps * model.schema_.n_columns, f"--steps {steps}")
    ds = open_data(data, na_values=na_values or ())
    pairs = [_row_pair(p, len(ds)) for p in pairs]
    cond = None if condition is None else label_like(condition, model.classes_)
    rows = (lambda i: ds.X.iloc[[i]]) if isinstance(ds.X, pd.DataFrame) else (lambda i: ds.X[i])
    with progress(f"Interpolating {len(pairs)} pair(s), {steps} steps"):
        strips = [walk(model, rows(i), rows(j), steps, method, cond) for i, j in pairs]
    if isinstance(strips[0], pd.DataFrame):
        t = np.linspace(0, 1, steps)
        frames = [s.assign(pair=f"{i},{j}", t=t) for s, (i, j) in zip(strips, pairs, strict=True)]
        write_samples(pd.concat(frames, ignore_index=True), out, model.schema_)
    else:
        strip_rows = np.concatenate([np.asarray(s) for s in strips])  # (pairs * steps, ...)
        write_samples(strip_rows, out, model.schema_, ncols=steps)
    say(f"Wrote {len(pairs)} strip(s) of {steps} to {out}")


def _row_pair(text: str, n: int) -> tuple[int, int]:
    """``"I,J"`` as two row numbers of a dataset with ``n`` rows.

    Example:
        >>> _row_pair("0,3", 5)
        (0, 3)
    """
    try:
        i, j = (int(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"--pair expects two row numbers I,J; got {text!r}") from None
    if not (0 <= i < n and 0 <= j < n):
        raise InputError(f"--pair {text}: rows must be in 0..{n - 1}")
    return i, j
