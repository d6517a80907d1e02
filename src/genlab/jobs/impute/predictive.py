"""Per-entry predictive intervals from ``M`` multiple imputations.

:func:`intervals` reads the ends off the empirical quantiles of the draws at each entry; a
calibrated imputer's ``level`` intervals hold the truth of a share ``level`` of the holes
(:meth:`ImputationIntervals.coverage`).

Example:
    >>> import numpy as np
    >>> draws = [np.array([[1.0, m]]) for m in range(9)]  # column 0 observed
    >>> box = intervals(draws, level=0.8)
    >>> box.lower.tolist(), box.upper.tolist(), box.n_imputations
    ([[1.0, 0.0]], [[1.0, 8.0]], 9)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genlab.core.errors import InputError
from genlab.data.datasets import Dataset
from genlab.jobs.impute.long import from_long
from genlab.jobs.impute.pooling import check_level

__all__ = ["ImputationIntervals", "intervals"]


@dataclass(frozen=True)
class ImputationIntervals:
    """Per-entry predictive intervals from ``M`` imputations (empirical quantiles of the draws).

    Each array has the shape of one imputation as a numeric array: ``(N, D)`` for tables,
    ``(N, H, W[, C])`` for images. Entries of non-numeric columns (categories, strings) are NaN.
    Observed entries are the same in every draw, so there ``lower == upper == value``.

    Attributes:
        lower: the ``(1 - level) / 2`` quantile of the draws.
        upper: the ``(1 + level) / 2`` quantile.
        mean: the mean of the draws (a Monte Carlo estimate of the conditional mean).
        level: the nominal coverage.
        n_imputations: ``M``.
        columns: the column names when the draws were DataFrames, else None.
    """

    lower: np.ndarray
    upper: np.ndarray
    mean: np.ndarray
    level: float
    n_imputations: int
    columns: list[str] | None = None

    @property
    def width(self) -> np.ndarray:
        """``upper - lower``."""
        return self.upper - self.lower

    def contains(self, X_true: Any) -> np.ndarray:
        """Boolean array: is each true value inside its interval (ends included)?"""
        values = _numeric(X_true, self.columns).reshape(self.lower.shape)
        return (self.lower <= values) & (values <= self.upper)

    def coverage(self, X_true: Any, mask: Any) -> float:
        """Share of the entries where ``mask`` is True (the holes) whose truth is inside.

        Entries of non-numeric columns are left out.
        """
        mask = np.asarray(mask, dtype=bool).reshape(self.lower.shape)
        counted = mask & ~np.isnan(self.lower)
        if not counted.any():
            raise InputError("mask selects no numeric entry: nothing to cover")
        return float(self.contains(X_true)[counted].mean())


def intervals(draws: Any, level: float = 0.9) -> ImputationIntervals:
    """Per-entry ``level`` predictive intervals from ``M`` multiple imputations.

    The ends are the empirical quantiles at Weibull positions ``(M + 1)(1 -+ level) / 2``
    (interpolated), so that, if the truth were one more draw from the same conditional, it
    would fall inside with probability ``level``. That needs ``M >= 2 / (1 - level) - 1``
    (19 for 90%); below that the interval is the range of the draws and covers less. Draws
    of integer columns tie, so their intervals cover at least ``level`` (ends count as
    inside).

    Args:
        draws: a list of ``M`` completed datasets (what ``impute(..., n_imputations=M)``
            returns), an array ``(M, N, ...)``, or a long table with an ``imputation`` column.
        level: nominal coverage in ``(0, 1)``.

    Returns:
        :class:`ImputationIntervals`.

    Example:
        >>> draws = [np.array([[0.0, m]]) for m in range(19)]  # column 0 observed
        >>> box = intervals(draws, level=0.8)  # 2nd and 18th of the 19 sorted draws
        >>> box.lower.round(6).tolist(), box.upper.round(6).tolist()
        ([[0.0, 1.0]], [[0.0, 17.0]])
    """
    level = check_level(level)
    if isinstance(draws, pd.DataFrame):
        draws = from_long(draws)
    if isinstance(draws, np.ndarray):
        draws = list(draws)
    if not isinstance(draws, Sequence) or len(draws) < 2:
        raise InputError("intervals need a list of at least 2 imputations")
    columns = list(map(str, draws[0].columns)) if isinstance(draws[0], pd.DataFrame) else None
    stacked = np.stack([_numeric(d, columns) for d in draws])  # (M, N, ...)
    with np.errstate(invalid="ignore"):
        # Weibull positions (M + 1) p: a new draw falls between the order statistics at
        # (M + 1)(1 -+ level) / 2 with probability exactly ``level`` when M + 1 divides evenly
        # (numpy's default positions (M - 1) p + 1 would cover only level (M - 1) / (M + 1)).
        lower, upper = np.quantile(
            stacked, [(1 - level) / 2, (1 + level) / 2], axis=0, method="weibull"
        )
    return ImputationIntervals(lower, upper, stacked.mean(axis=0), level, len(draws), columns)


def _numeric(X: Any, columns: list[str] | None) -> np.ndarray:
    """Numeric values of one dataset as float64; NaN for non-numeric DataFrame columns."""
    if isinstance(X, Dataset):
        X = X.X
    if columns is None:
        try:
            return np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise InputError(f"draws must be numeric arrays or DataFrames: {error}") from None
    if not isinstance(X, pd.DataFrame) or list(map(str, X.columns)) != columns:
        raise InputError(f"expected a DataFrame with columns {columns}")
    out = np.full(X.shape, np.nan)
    for j in range(X.shape[1]):
        column = X.iloc[:, j]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            out[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
    return out
