"""Writing imputations: one completed dataset, or M as a long table, a stacked .npy or M files;
observed cells as DATA wrote them (``genlab impute`` and ``genlab impute-select``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genlab.cli.guards import numbered_files
from genlab.cli.options import say
from genlab.jobs.generate import as_table, write_samples


def write_all(
    filled: Any, X: Any, data: str, out: Path, multiple: int, files: bool, schema: Any
) -> None:
    """Write the imputations of ``X`` (read from ``data``) to ``out``, observed cells as
    ``data`` wrote them."""
    filled = _as_written(filled, X, data, out)
    _write_imputations(filled, out, multiple, files, schema)
    _keep_types(data, outputs(out, multiple, files))


def _write_imputations(filled: Any, out: Path, multiple: int, files: bool, schema: Any) -> None:
    """One completed dataset, or M as M files (``files``) or one long table / stacked .npy."""
    if multiple == 1:
        write_samples(filled, out, schema)
    elif files:
        for path, f in zip(outputs(out, multiple, files), filled, strict=True):
            write_samples(f, path, schema)
    elif out.suffix.lower() == ".npy":
        write_samples(np.stack(filled), out, schema)
    else:
        frames = [
            pd.DataFrame(as_table(f, schema)).assign(imputation=m) for m, f in enumerate(filled)
        ]
        write_samples(pd.concat(frames, ignore_index=True), out, schema)
    say(f"Wrote {', '.join(str(p) for p in outputs(out, multiple, files))}")


def _as_written(filled: Any, X: Any, data: str, out: Path) -> Any:
    """The imputations with every observed cell as DATA's CSV wrote it, when a CSV is written
    from a CSV: an observed ``3`` stays ``3`` (not ``3.0``), ``1e3`` stays ``1e3``."""
    from genlab.data.cells import observed_text
    from genlab.data.readers import read_cells

    text = Path(data).suffix.lower() in (".csv", ".tsv") and Path(data).is_file()
    if not (text and out.suffix.lower() == ".csv" and isinstance(X, pd.DataFrame)):
        return filled
    cells = read_cells(data)
    if isinstance(filled, pd.DataFrame):
        return observed_text(filled, X, cells)
    return [observed_text(f, X, cells) for f in filled]


def _keep_types(data: str, outputs: list[Path]) -> None:
    """Parquet written from a Parquet DATA: each column keeps DATA's Arrow type where its
    values fit (``int32`` stays ``int32``, ``string`` stays ``string``), as a CSV's observed
    cells keep their text (``_as_written``)."""
    from genlab.data.parquet import PARQUET_SUFFIXES, keep_parquet_types

    if Path(data).suffix.lower() in PARQUET_SUFFIXES and Path(data).is_file():
        for path in outputs:
            if path.suffix.lower() in PARQUET_SUFFIXES:
                keep_parquet_types(path, data)


def outputs(out: Path, multiple: int, files: bool) -> list[Path]:
    """The files an imputation writes: OUT, or OUT-1 ... OUT-M with ``--files``."""
    return numbered_files(out, multiple) if files and multiple > 1 else [out]
