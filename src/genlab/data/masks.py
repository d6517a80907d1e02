"""Missingness masks for tables and images, and :func:`apply_mask` to punch the holes.

Every mask is a boolean ndarray where ``True`` means *missing*. Tabular masks follow the three
mechanisms of Rubin's taxonomy:

* :func:`mcar` -- missing completely at random: each entry independently with probability ``rate``.
* :func:`mar` -- missing at random: the first numeric column stays observed and drives, through a
  logistic model, the missingness of every other column.
* :func:`mnar` -- missing not at random (self-masking): in each column, high values are more
  likely to be missing.

The logistic mechanisms are calibrated by solving for each column's intercept so that the
*expected* missing rate equals the target exactly; the realised rate then differs from the
target only by Bernoulli noise (about ``sqrt(rate * (1 - rate) / size)``).

Image masks (:func:`random_pixels`, :func:`box`, :func:`bottom_half`) take a shape ``(H, W)``,
``(N, H, W)`` or ``(N, H, W, C)``, or an array of such a shape, and return a mask of that shape;
a masked pixel is masked in all of its channels.

References:
    Rubin, "Inference and missing data", Biometrika 1976.
    Muzellec et al., "Missing data imputation using optimal transport", ICML 2020 (the logistic
    MAR and self-masking MNAR mechanisms).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from genlab.core.errors import InputError

__all__ = ["apply_mask", "bottom_half", "box", "mar", "mcar", "mnar", "random_pixels"]

RandomState = int | np.random.Generator | None

# Slope of the logistic mechanisms on standardized values: logit moves by 2 per standard
# deviation, so the odds of an entry being missing change e^2-fold (about 7.4) per deviation.
_SLOPE = 2.0


def mcar(
    shape_or_X: tuple[int, ...] | np.ndarray | pd.DataFrame,
    rate: float,
    random_state: RandomState = None,
) -> np.ndarray:
    """Missing completely at random: each entry is missing with probability ``rate``.

    Args:
        shape_or_X: A shape tuple, or an array/DataFrame whose shape is used.
        rate: Probability of each entry being missing, in ``[0, 1)``.
        random_state: Seed or ``numpy.random.Generator``.

    Returns:
        Boolean mask of that shape, ``True`` = missing.

    Example:
        >>> m = mcar((1000, 4), 0.25, random_state=0)
        >>> m.shape, round(float(m.mean()), 2)
        ((1000, 4), 0.25)
    """
    rate = _check_rate(rate)
    shape = _shape_of(shape_or_X, "shape_or_X")
    return np.random.default_rng(random_state).random(shape) < rate


def mar(X: np.ndarray | pd.DataFrame, rate: float, random_state: RandomState = None) -> np.ndarray:
    """Missing at random: one observed column drives the missingness of all others.

    The driving column is the first numeric column (column 0 of an ndarray); it is never
    missing. Every other column ``j`` is missing with probability
    ``sigmoid(s_j * 2 * z + b_j)``, where ``z`` is the standardized driving column, ``s_j`` a
    random sign (so some columns lose their high rows, others their low rows) and ``b_j`` is
    calibrated so the overall rate over *all* entries, the driving column included, is ``rate``.
    Each other column therefore has rate ``rate * d / (d - 1)``, which must stay below 1.

    Args:
        X: Table of shape ``(n, d)``, ``d >= 2``; the driving column must be finite.
        rate: Target fraction of missing entries in the whole table, in ``[0, (d - 1) / d)``.
        random_state: Seed or ``numpy.random.Generator``.

    Returns:
        Boolean mask of shape ``(n, d)``, ``True`` = missing.

    Example:
        >>> X = np.random.default_rng(0).normal(size=(2000, 4))
        >>> m = mar(X, 0.3, random_state=0)
        >>> bool(m[:, 0].any()), round(float(m.mean()), 1)
        (False, 0.3)
    """
    rate = _check_rate(rate)
    n, d = _shape_of(X, "X", ndim=2)
    if d < 2:
        raise InputError(f"X needs at least 2 columns for MAR masking, got {d}")
    column_rate = rate * d / (d - 1)
    if column_rate >= 1:
        raise InputError(f"rate must be below (d - 1) / d = {(d - 1) / d:.3f} for MAR, got {rate}")
    driver = _driving_column(X)
    z = _standardize(_numeric_column(X, driver), driver)  # (n,)
    rng = np.random.default_rng(random_state)
    signs = rng.choice([-1.0, 1.0], size=d - 1)
    logits = _SLOPE * z[:, None] * signs[None, :]  # (n, d - 1)
    others = _logistic_mask(logits, column_rate, rng)
    mask = np.zeros((n, d), dtype=bool)
    mask[:, np.arange(d) != driver] = others
    return mask


def mnar(X: np.ndarray | pd.DataFrame, rate: float, random_state: RandomState = None) -> np.ndarray:
    """Missing not at random by self-masking: high values of a column are more often missing.

    Entry ``(i, j)`` is missing with probability ``sigmoid(2 * z_ij + b_j)``, where ``z_ij`` is
    the value standardized within column ``j`` and ``b_j`` is calibrated so each column, and
    hence the table, has missing rate ``rate``.

    Args:
        X: Numeric table of shape ``(n, d)`` with finite values.
        rate: Target fraction of missing entries, in ``[0, 1)``.
        random_state: Seed or ``numpy.random.Generator``.

    Returns:
        Boolean mask of shape ``(n, d)``, ``True`` = missing.

    Example:
        >>> X = np.random.default_rng(0).normal(size=(2000, 3))
        >>> m = mnar(X, 0.2, random_state=0)
        >>> round(float(m.mean()), 1), bool(X[m].mean() > X[~m].mean())
        (0.2, True)
    """
    rate = _check_rate(rate)
    _, d = _shape_of(X, "X", ndim=2)
    z = np.stack([_standardize(_numeric_column(X, j), j) for j in range(d)], axis=1)  # (n, d)
    return _logistic_mask(_SLOPE * z, rate, np.random.default_rng(random_state))


def random_pixels(
    shape: tuple[int, ...] | np.ndarray, rate: float, random_state: RandomState = None
) -> np.ndarray:
    """Each pixel missing independently with probability ``rate`` (all channels together).

    Args:
        shape: ``(H, W)``, ``(N, H, W)``, ``(N, H, W, C)``, or an image array of such a shape.
        rate: Probability of each pixel being missing, in ``[0, 1)``.
        random_state: Seed or ``numpy.random.Generator``.

    Returns:
        Boolean mask of the given shape.

    Example:
        >>> random_pixels((2, 8, 8, 3), 0.5, random_state=0).shape
        (2, 8, 8, 3)
    """
    rate = _check_rate(rate)
    full, pixels = _image_shapes(shape)
    mask = np.random.default_rng(random_state).random(pixels) < rate
    return _to_channels(mask, full)


def box(
    shape: tuple[int, ...] | np.ndarray, size: int | None = None, random_state: RandomState = None
) -> np.ndarray:
    """One random square box of missing pixels per image.

    Args:
        shape: ``(H, W)``, ``(N, H, W)``, ``(N, H, W, C)``, or an image array of such a shape.
        size: Side of the box in pixels, ``1 <= size <= min(H, W)``; default half the shorter
            side (at least 1).
        random_state: Seed or ``numpy.random.Generator``; the box corner is uniform over all
            positions where the box fits.

    Returns:
        Boolean mask of the given shape.

    Example:
        >>> m = box((8, 8), size=3, random_state=0)
        >>> int(m.sum())
        9
    """
    full, pixels = _image_shapes(shape)
    n, height, width = pixels
    if size is None:
        size = max(1, min(height, width) // 2)
    if (
        isinstance(size, bool)
        or not isinstance(size, Integral)
        or not 1 <= size <= min(height, width)
    ):
        raise InputError(f"size must be an integer in [1, {min(height, width)}], got {size!r}")
    rng = np.random.default_rng(random_state)
    top = rng.integers(0, height - size + 1, size=n)  # (N,)
    left = rng.integers(0, width - size + 1, size=n)
    rows = np.arange(height)[None, :, None]  # (1, H, 1)
    cols = np.arange(width)[None, None, :]  # (1, 1, W)
    inside_rows = (rows >= top[:, None, None]) & (rows < top[:, None, None] + size)
    inside_cols = (cols >= left[:, None, None]) & (cols < left[:, None, None] + size)
    return _to_channels(inside_rows & inside_cols, full)


def bottom_half(shape: tuple[int, ...] | np.ndarray) -> np.ndarray:
    """Mask the bottom half of every image: rows ``H // 2`` to ``H - 1``.

    For an odd height the middle row counts as part of the bottom half.

    Args:
        shape: ``(H, W)``, ``(N, H, W)``, ``(N, H, W, C)``, or an image array of such a shape.

    Returns:
        Boolean mask of the given shape.

    Example:
        >>> bottom_half((4, 2)).astype(int).tolist()
        [[0, 0], [0, 0], [1, 1], [1, 1]]
    """
    full, (n, height, width) = _image_shapes(shape)
    mask = np.zeros((n, height, width), dtype=bool)
    mask[:, height // 2 :, :] = True
    return _to_channels(mask, full)


def apply_mask(
    X: np.ndarray | pd.DataFrame, mask: np.ndarray | pd.DataFrame
) -> np.ndarray | pd.DataFrame:
    """Return a copy of ``X`` with the entries where ``mask`` is ``True`` set missing.

    ndarrays: integer and boolean arrays become float64 so that NaN fits; float arrays keep
    their dtype; object and string arrays become object arrays with ``None``.
    DataFrames: each column keeps its dtype where its missing value fits (float, categorical,
    string, object, nullable, datetime); integer columns that receive a missing value become
    float64 and boolean ones become pandas' nullable ``boolean``. ``X`` is never modified.

    Args:
        X: ndarray of any shape, or a DataFrame.
        mask: Boolean array (or DataFrame) of the same shape as ``X``.

    Returns:
        A new array or DataFrame.

    Example:
        >>> apply_mask(np.array([[1, 2], [3, 4]]), np.array([[False, True], [False, False]]))
        array([[ 1., nan],
               [ 3.,  4.]])
    """
    if isinstance(mask, pd.DataFrame):
        mask = mask.to_numpy()
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise InputError(f"mask must be boolean (True = missing), got dtype {mask.dtype}")
    if isinstance(X, pd.DataFrame):
        if mask.shape != X.shape:
            raise InputError(f"mask shape {mask.shape} does not match X shape {X.shape}")
        return _mask_frame(X, mask)
    X = np.asarray(X)
    if mask.shape != X.shape:
        raise InputError(f"mask shape {mask.shape} does not match X shape {X.shape}")
    return _mask_array(X, mask)


def _mask_array(X: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if X.dtype.kind in "iub":
        out, missing = X.astype(np.float64), np.nan
    elif X.dtype.kind in "fc":
        out, missing = X.copy(), np.nan
    else:  # object, str, bytes, datetime...: only an object array holds None alongside them
        out, missing = X.astype(object), None
    out[mask] = missing
    return out


def _mask_frame(X: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    out = X.copy()
    for j in np.flatnonzero(mask.any(axis=0)):
        # Series.mask fills the dtype's own missing value (NaN, NaT, pd.NA, a missing category).
        out.isetitem(int(j), _nullable(X.iloc[:, j]).mask(mask[:, j]))
    return out


def _nullable(column: pd.Series) -> pd.Series:
    """The column in a dtype that can hold a missing value."""
    if pd.api.types.is_bool_dtype(column) and column.dtype == bool:
        return column.astype("boolean")
    if pd.api.types.is_integer_dtype(column) and isinstance(column.dtype, np.dtype):
        return column.astype(np.float64)
    return column


def _logistic_mask(logits: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Bernoulli(sigmoid(logits + b_j)), ``b_j`` set so each column's mean is ``rate``."""
    if rate == 0:
        return np.zeros(logits.shape, dtype=bool)
    intercepts = np.array(
        [_calibrate_intercept(logits[:, j], rate) for j in range(logits.shape[1])]
    )
    return rng.random(logits.shape) < expit(logits + intercepts[None, :])


def _calibrate_intercept(logits: np.ndarray, rate: float) -> float:
    """Solve ``mean(sigmoid(logits + b)) = rate`` for ``b`` (the left side increases with ``b``)."""
    # sigmoid(+-40) is within 5e-18 of 0/1, so this bracket always changes sign for rate in (0, 1).
    reach = float(np.abs(logits).max(initial=0.0)) + 40.0
    return brentq(lambda b: float(expit(logits + b).mean()) - rate, -reach, reach, xtol=1e-10)


def _standardize(values: np.ndarray, column: int) -> np.ndarray:
    if not np.isfinite(values).all():
        row = int(np.flatnonzero(~np.isfinite(values))[0])
        raise InputError(f"column {column} has a missing or non-finite value at row {row}")
    std = values.std()
    # A constant column carries no information; z = 0 makes its mechanism MCAR.
    return (values - values.mean()) / std if std > 0 else np.zeros_like(values)


def _driving_column(X: np.ndarray | pd.DataFrame) -> int:
    if not isinstance(X, pd.DataFrame):
        return 0
    for j in range(X.shape[1]):
        dtype = X.dtypes.iloc[j]
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            return j
    raise InputError("MAR masking needs a numeric column to drive missingness; X has none")


def _numeric_column(X: np.ndarray | pd.DataFrame, j: int) -> np.ndarray:
    """Column ``j`` as float64 (n,), naming the column if it is not numeric."""
    if isinstance(X, pd.DataFrame):
        column, name = X.iloc[:, j], X.columns[j]
        if not pd.api.types.is_numeric_dtype(column.dtype):
            raise InputError(f"column {name!r} must be numeric, got dtype {column.dtype}")
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        return np.asarray(np.asarray(X)[:, j], dtype=np.float64)  # no copy of the whole table
    except (TypeError, ValueError) as error:
        raise InputError(f"X must be numeric; column {j}: {error}") from error


def _check_rate(rate: float) -> float:
    if isinstance(rate, bool) or not isinstance(rate, Real) or not 0 <= rate < 1:
        raise InputError(f"rate must be a number in [0, 1), got {rate!r}")
    return float(rate)


def _shape_of(shape_or_X: object, argument: str, ndim: int | None = None) -> tuple[int, ...]:
    if isinstance(shape_or_X, tuple) and all(
        isinstance(s, Integral) and not isinstance(s, bool) and s >= 0 for s in shape_or_X
    ):
        shape = tuple(int(s) for s in shape_or_X)
    elif isinstance(shape_or_X, tuple):
        raise InputError(f"{argument} must be a tuple of non-negative integers, got {shape_or_X}")
    else:
        shape = np.shape(shape_or_X)
    if ndim is not None and len(shape) != ndim:
        raise InputError(f"{argument} must be {ndim}-dimensional, got shape {shape}")
    return shape


def _image_shapes(shape_or_X: object) -> tuple[tuple[int, ...], tuple[int, int, int]]:
    """The full shape, and the (N, H, W) shape of its pixels."""
    shape = _shape_of(shape_or_X, "shape")
    if len(shape) == 2:
        return shape, (1, *shape)
    if len(shape) in (3, 4):
        return shape, shape[:3]
    raise InputError(f"shape must be (H, W), (N, H, W) or (N, H, W, C), got {shape}")


def _to_channels(pixel_mask: np.ndarray, full: tuple[int, ...]) -> np.ndarray:
    """Reshape a (N, H, W) pixel mask to ``full``, repeating it over channels."""
    if len(full) == 2:
        return pixel_mask[0]
    if len(full) == 4:
        return np.repeat(pixel_mask[..., None], full[3], axis=3)
    return pixel_mask
