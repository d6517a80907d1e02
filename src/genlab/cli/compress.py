"""``genlab compress`` and ``genlab decompress``: lossless coding of data with a saved model
into one .glz file, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from genlab.cli.guards import NaValues, check_not_inputs, check_suffix
from genlab.cli.options import (
    Data,
    ModelDir,
    Quiet,
    check_folder,
    check_out,
    progress,
    say,
)
from genlab.core.errors import InputError
from genlab.jobs.generate import write_samples


def compress(
    model_dir: ModelDir,
    data: Data,
    out: Annotated[Path, typer.Option("--out", "-o", help="The compressed file (.glz).")],
    n_orders: Annotated[
        int | None, typer.Option(help="Orders mixed by bits-back (default: the model's).")
    ] = None,
    step: Annotated[
        float | None,
        typer.Option(
            help="Grid step of the continuous columns (required if there are any): each value "
            "is coded as round(x / step) and comes back as that multiple of step."
        ),
    ] = None,
    na_values: NaValues = None,
    quiet: Quiet = False,
) -> None:
    """Losslessly compress DATA with a saved model into one .glz file (continuous columns on
    the grid of --step)."""
    from genlab.core.persistence import load_model
    from genlab.data.sources import open_data
    from genlab.jobs.compress import compress as compress_data

    check_not_inputs([out], [model_dir, data])
    check_suffix(out, ".glz")
    model = load_model(model_dir)
    ds = open_data(data, na_values=na_values or ())
    with progress(f"Compressing {len(ds)} rows"):
        blob = compress_data(model, ds.X, step=step, n_orders=n_orders)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(blob)
    n_values = int(np.asarray(model.schema_.encode(ds.X)).size)
    say(f"Wrote {len(blob)} bytes ({8 * len(blob) / n_values:.3f} bits/value) to {out}")


def decompress(
    model_dir: Annotated[Path, typer.Argument(help="Folder of the model that compressed.")],
    file: Annotated[Path, typer.Argument(help="A .glz file from `genlab compress`.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder of PNGs, .csv, .parquet or .npy.")
    ],
    quiet: Quiet = False,
) -> None:
    """Decompress a .glz file; a folder --out gets one PNG per image, pixel-identical."""
    from genlab.core.persistence import load_model
    from genlab.jobs.compress import decompress as decompress_data

    check_not_inputs([out], [model_dir, file])
    model = load_model(model_dir)
    if out.suffix:
        check_out(out, model.schema_)
    else:
        check_folder(out)
    if not file.is_file():
        raise InputError(f"no such file: {file}")
    with progress(f"Decompressing {file.name}"):
        X = decompress_data(file.read_bytes(), model)
    if out.suffix:
        write_samples(X, out, model.schema_)
    else:  # a folder: one PNG per image, the decoded values as they are
        from genlab.data.readers import write_images

        write_images(out, np.asarray(X))
    say(f"Wrote {len(X)} rows to {out}")
