"""Rows of any container genlab accepts — array, DataFrame, list, :class:`Dataset` — taken,
split and flattened in one way everywhere.

Example:
    >>> import numpy as np, pandas as pd
    >>> take_rows(pd.DataFrame({"a": [1, 2, 3]}), np.array([2, 0])).to_dict("list")
    {'a': [3, 1]}
    >>> flatten_rows(np.zeros((0, 8, 8))).shape, flatten_rows(np.zeros((2, 3, 2))).shape
    ((0, 64), (2, 6))
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genlab.core.errors import InputError


def as_rows(X: Any) -> Any:
    """Lists and tuples become arrays so that rows can be taken; other containers pass."""
    return np.asarray(X) if isinstance(X, list | tuple) else X


def take_rows(X: Any, rows: np.ndarray, *, renumber: bool = False) -> Any:
    """Rows ``rows`` (positions or a boolean mask) of an array, DataFrame or Dataset.

    With ``renumber``, a DataFrame's index restarts at 0 (a new table, not a view of rows).
    """
    X = as_rows(X)
    if hasattr(X, "subset"):  # a genlab Dataset
        return X.subset(rows)
    if isinstance(X, pd.DataFrame | pd.Series):
        part = X.iloc[rows]
        return part.reset_index(drop=True) if renumber else part
    return np.asarray(X)[rows]


def split_rows(
    X: Any, labels: Any, val_fraction: float, seed: int | None, *, min_rows: int = 5
) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """Seeded random ``((train, labels), (validation, labels))`` rows of any container."""
    if hasattr(X, "subset") and hasattr(X, "X"):
        X = X.X
    n = len(X)
    if n < min_rows:
        raise InputError(f"at least {min_rows} rows are needed to hold some out, got {n}")
    perm = np.random.default_rng(seed).permutation(n)
    n_val = max(1, round(n * val_fraction))
    parts = []
    for rows in (perm[n_val:], perm[:n_val]):
        lab = None if labels is None else np.asarray(labels)[rows]
        parts.append((take_rows(X, rows, renumber=True), lab))
    return parts[0], parts[1]


def flatten_rows(A: Any) -> np.ndarray:
    """``(N, ...)`` -> ``(N, prod(...))``: one row per item, also for ``N = 0`` (where
    ``reshape(0, -1)`` cannot tell the width)."""
    A = np.asarray(A)
    return A.reshape(len(A), int(np.prod(A.shape[1:])))
