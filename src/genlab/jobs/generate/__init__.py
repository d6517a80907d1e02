"""Generate: draw new samples x ~ p(x) from a fitted model and turn them into something to
look at — a grid picture for image data, a table otherwise — or a file.

The generate section of ``genlab tour`` draws through :func:`draw`; ``genlab sample`` writes
what a model drew with :func:`write_samples` (a ``.png`` grid of images, ``.npy``, ``.csv`` or
``.parquet``). Samples come back in the model's training container (an image array, an array
of rows or a DataFrame); :func:`picture` and :func:`as_table` read that container through the
model's fitted ``schema_``.

Example:
    >>> import numpy as np, genlab
    >>> digits = genlab.load_dataset("digits").subset(np.arange(100))
    >>> gmm = genlab.GaussianMixture(n_components=2).fit(digits)
    >>> drawn = draw(gmm, 6, random_state=0)
    >>> drawn.values.shape, drawn.seconds >= 0
    ((6, 8, 8), True)
    >>> picture(drawn.values, gmm.schema_, ncols=3, scale=1).shape  # 2 rows of 3 images, RGB
    (19, 28, 3)
    >>> as_table(drawn.values, gmm.schema_).shape  # one column per pixel
    (6, 64)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genlab.core.errors import InputError
from genlab.data.rows import flatten_rows
from genlab.report.grids import image_grid, save_image_grid

#: The file formats :func:`write_samples` writes.
FORMATS = (".csv", ".parquet", ".npy", ".png")


@dataclass
class Samples:
    """What :func:`draw` drew: the samples and how long drawing them took.

    Attributes:
        values: the samples, in the model's training container (``(n, H, W)`` for images).
        seconds: wall-clock seconds of the ``sample`` call.
    """

    values: Any
    seconds: float


def draw(model: Any, n: int, *, condition: Any = None, random_state: Any = None) -> Samples:
    """``n`` samples of a fitted ``model``, timed (one ``model.sample`` call, nothing else).

    Args:
        model: a fitted genlab model that can sample.
        n: number of samples.
        condition: class label(s) or a :class:`~genlab.Condition`, for a model fitted with
            labels; None draws the class from its training frequency.
        random_state: int, None or ``np.random.Generator``.
    """
    start = time.perf_counter()
    values = model.sample(n, condition=condition, random_state=random_state)
    return Samples(values, time.perf_counter() - start)


def image_levels(schema: Any) -> tuple[float, float]:
    """The pixel value range of image data: its grey levels if integer, else 0..255.

    Example:
        >>> import genlab
        >>> image_levels(genlab.load_dataset("digits").schema)
        (0, 16)
    """
    first = schema.columns[0]
    return tuple(first.levels) if first.kind == "integer" else (0, 255)


def picture(X: Any, schema: Any, *, ncols: int | None = None, scale: int = 4) -> np.ndarray:
    """Images ``X (N, H, W[, C])`` tiled into one uint8 RGB grid (:func:`image_grid`).

    Args:
        X: samples of image data.
        schema: the model's ``schema_`` (its image shape and pixel levels).
        ncols: images per row (default: about square).
        scale: each pixel becomes ``scale x scale`` pixels.

    Raises:
        InputError: the data are not images (use :func:`as_table`).
    """
    _require_images(schema)
    return image_grid(np.asarray(X), levels=image_levels(schema), ncols=ncols, scale=scale)


def as_table(X: Any, schema: Any) -> pd.DataFrame:
    """Samples as a DataFrame with the schema's column names (a DataFrame is kept as is)."""
    if isinstance(X, pd.DataFrame):
        return X
    return pd.DataFrame(flatten_rows(X), columns=schema.names)


def check_output(out: str | Path, schema: Any = None) -> Path:
    """``out`` as a Path, refused before any work if :func:`write_samples` cannot write it.

    Raises:
        InputError: an unknown suffix, or a ``.png`` for data that are not images.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"unknown output format {suffix!r} of {out}: use {', '.join(FORMATS)}")
    if suffix == ".png" and schema is not None and schema.image_shape is None:
        raise InputError("a .png output needs images; use .csv, .parquet or .npy")
    return out


def write_samples(X: Any, out: str | Path, schema: Any, *, ncols: int | None = None) -> Path:
    """Write samples to ``out``: a ``.png`` grid (images), ``.npy``, ``.csv`` or ``.parquet``.

    Args:
        X: samples, in the model's training container.
        out: the file; its suffix picks the format (folders are created).
        schema: the model's ``schema_`` (column names, image levels).
        ncols: images per row of a ``.png`` grid.

    Example:
        >>> import tempfile, genlab
        >>> rings = genlab.load_dataset("concentric_rings")
        >>> kde = genlab.KDE().fit(rings)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     path = write_samples(kde.sample(5, random_state=0), f"{d}/s.csv", kde.schema_)
        ...     len(path.read_text().splitlines())  # a header and 5 rows
        6
    """
    out = check_output(out, schema)
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix == ".png":
        save_image_grid(out, np.asarray(X), levels=image_levels(schema), ncols=ncols)
    elif suffix == ".npy":
        np.save(out, np.asarray(X), allow_pickle=False)
    elif suffix == ".csv":
        as_table(X, schema).to_csv(out, index=False)
    else:
        as_table(X, schema).to_parquet(out, index=False)
    return out


def _require_images(schema: Any) -> None:
    if schema.image_shape is None:
        raise InputError("a picture needs images; write a table (.csv, .parquet or .npy)")
