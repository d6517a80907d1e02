"""Turn what a user names on the command line into a :class:`Dataset`.

``DATA`` is a bundled dataset name (``genlab datasets``), optionally with ``:train`` or
``:test`` for the split of ``Dataset.split()`` (``digits:test``: the 360 held-out digits), a table
(``.csv``, ``.tsv``, ``.parquet``), an array (``.npy``) or a folder of PNG/JPEG images.

Example:
    >>> open_data("iris", label_column="label").y[:3]
    array([0, 0, 0])
    >>> len(open_data("digits:test")), len(open_data("digits:train"))
    (360, 1437)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genlab.core.errors import InputError
from genlab.data.datasets import DATASETS, Dataset, load_dataset
from genlab.data.readers import read_images, read_npy, read_table
from genlab.data.schema import infer_schema

#: For bundled datasets, ``--label-column label`` selects their labels.
BUNDLED_LABEL = "label"
#: ``NAME:PART`` selects a part of the train/test split of a bundled dataset.
SPLITS = ("train", "test")


def open_data(
    spec: str | Path, *, label_column: str | None = None, na_values: Sequence[str] = ()
) -> Dataset:
    """Load a bundled dataset or read a file/folder; ``label_column`` becomes ``y``;
    ``na_values``: more table cells to read as missing (see :func:`read_table`)."""
    spec = str(spec)
    path = Path(spec)
    name, _, part = spec.partition(":")
    if name in DATASETS and not path.exists():
        if part and part not in SPLITS:
            raise InputError(f"{spec!r}: the part after ':' must be one of {list(SPLITS)}")
        ds = load_dataset(name)
        if part:
            ds = ds.split()[SPLITS.index(part)]
        if label_column not in (None, BUNDLED_LABEL):
            raise InputError(
                f"bundled dataset {name!r} has no column {label_column!r}; "
                f"use --label-column {BUNDLED_LABEL} for its labels"
            )
        if label_column is None:
            ds.y = None
        elif ds.y is None or not ds.y_is_label:
            raise InputError(f"bundled dataset {name!r} has no class labels")
        return ds
    if path.is_dir():
        images, names = read_images(path)
        _no_labels(label_column, "an image folder")
        return Dataset(path.name, images, None, infer_schema(images), file_names=names)
    if path.suffix.lower() == ".npy":
        array = read_npy(path)
        _no_labels(label_column, "a .npy array")
        return Dataset(path.stem, array, None, infer_schema(array))
    if not path.exists() and not path.suffix:
        raise InputError(
            f"{spec!r} is neither a bundled dataset ({sorted(DATASETS)}) nor a file or folder"
        )
    table = read_table(path, na_values=na_values)
    y = None
    if label_column is not None:
        if label_column not in table.columns:
            raise InputError(f"{path} has no column {label_column!r}: {list(table.columns)}")
        y = table.pop(label_column).to_numpy()
    return Dataset(path.stem, table, y, infer_schema(table))


def _no_labels(label_column: str | None, what: str) -> None:
    if label_column is not None:
        raise InputError(f"--label-column needs a table; {what} has no columns")
