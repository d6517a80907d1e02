"""The (weighted) average of several completed datasets: how bagged and stacked imputers
combine their members' conditional means into one.

Numeric entries are averaged, categorical ones go to the (weighted) majority, and entries on
which every dataset agrees (the observed ones) are kept bit-identical.

Example:
    >>> import numpy as np
    >>> from genlab.data.schema import infer_schema
    >>> a, b = np.array([[1.0, 0.0]]), np.array([[1.0, 4.0]])
    >>> average_completed([a, b], infer_schema(a), np.array([0.75, 0.25])).tolist()
    [[1.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genlab.data.rows import flatten_rows
from genlab.data.schema import Schema

__all__ = ["average_completed"]


def average_completed(completed: list[Any], schema: Schema, weights: Any = None) -> Any:
    """Entrywise (weighted) mean of completed datasets, categorical columns by (weighted)
    majority; entries on which all agree (the observed ones) are kept bit-identical.

    Integer columns are rounded to their grid only where the container cannot hold floats (as
    a model's own ``"mean"`` does).

    Args:
        completed: ``B`` completed datasets of one container (arrays, images or DataFrames).
        schema: their schema.
        weights: ``(B,)`` weights summing to one; equal by default.

    Returns:
        One dataset in the container, columns and dtypes of ``completed[0]``.
    """
    first = completed[0]
    weights = np.full(len(completed), 1.0 / len(completed)) if weights is None else weights
    integer = np.array([c.kind == "integer" for c in schema.columns])  # (D,)
    if not isinstance(first, pd.DataFrame):
        stacked = np.stack([flatten_rows(c) for c in completed])  # (B, N, D)
        integer &= stacked.dtype.kind != "f"
        return _average_values(stacked, integer, weights).reshape(np.shape(first))
    out = first.copy()
    for j, column in enumerate(schema.columns):
        values = [c.iloc[:, j] for c in completed]
        if column.kind == "categorical":
            votes = pd.concat(values, axis=1, ignore_index=True)  # (N, B)
            out.isetitem(j, _vote(votes, weights).astype(first.iloc[:, j].dtype))
        else:
            grid = integer[j] and not pd.api.types.is_float_dtype(first.iloc[:, j])
            stacked = np.stack([v.to_numpy(np.float64) for v in values])  # (B, N)
            mean = _average_values(stacked, grid, weights)
            out.isetitem(j, pd.Series(mean, index=out.index).astype(first.iloc[:, j].dtype))
    return out


def _average_values(stacked: np.ndarray, integer: Any, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over axis 0 of ``stacked`` ``(B, N[, D])``, rounded where ``integer``."""
    mean = np.average(stacked, axis=0, weights=weights)
    mean = np.where(integer, np.rint(mean), mean).astype(stacked.dtype)
    return np.where((stacked == stacked[0]).all(axis=0), stacked[0], mean)


def _vote(votes: pd.DataFrame, weights: np.ndarray) -> pd.Series:
    """Each row's value with the largest total weight among the columns of ``votes`` (N, B);
    ties go to the smallest value, as ``DataFrame.mode`` breaks them."""
    codes, values = pd.factorize(votes.to_numpy().ravel(), sort=True)
    codes = codes.reshape(votes.shape)  # (N, B) indices into values
    tally = np.zeros((len(votes), len(values)))  # (N, V) weight behind each value
    for b, w in enumerate(weights):
        np.add.at(tally, (np.arange(len(votes)), codes[:, b]), w)
    return pd.Series(values[tally.argmax(axis=1)], index=votes.index)
