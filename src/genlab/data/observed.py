"""Completed data in the user's own container: the filled entries decoded, every observed entry
kept exactly as the user gave it (values, dtypes, index, column order).

Example:
    >>> import numpy as np
    >>> from genlab.data.schema import infer_schema
    >>> X = np.array([[1.0, np.nan], [3.0, 4.0]])
    >>> schema = infer_schema(X)
    >>> A = schema.encode(X)
    >>> restore_observed(schema, X, A, np.nan_to_num(A, nan=9.0)).tolist()
    [[1.0, 9.0], [3.0, 4.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genlab.data.datasets import Dataset
from genlab.data.schema import Column, Schema


def restore_observed(
    schema: Schema, X: Any, A: np.ndarray, filled: np.ndarray, *, exact: bool = False
) -> Any:
    """Decode ``filled`` (the encoded ``A`` with its NaN entries filled) but keep every
    observed entry of the user's ``X`` untouched.

    With ``exact``, integer columns keep ``filled``'s values (clipped to the grid's range,
    not rounded) wherever the user's container holds floats.
    """
    decoded = schema.decode(filled)
    missing = np.isnan(A)
    integer = [c.kind == "integer" for c in schema.columns]
    if isinstance(X, pd.DataFrame):
        out = X.copy()
        for j, name in enumerate(schema.names):
            if not missing[:, j].any():
                continue
            values = decoded[name]
            if exact and integer[j] and pd.api.types.is_float_dtype(X[name]):
                values = pd.Series(_clip_to_range(filled[:, j], schema.columns[j]))
            col = out[name].astype(object).where(~missing[:, j], values)
            out[name] = _like(col, X[name], values)
        return out
    values = X.X if isinstance(X, Dataset) else X
    out = np.asarray(values, dtype=np.float64).reshape(A.shape).copy()
    rounded = np.asarray(decoded, dtype=np.float64).reshape(A.shape)  # integers on the grid
    if exact:  # a conditional mean lies between grid points; the float array holds it
        for j in np.flatnonzero(integer):
            rounded[:, j] = _clip_to_range(filled[:, j], schema.columns[j])
    out[missing] = rounded[missing]
    dtype = np.dtype(schema.array_dtype)
    if dtype.kind in "iub" and np.array_equal(out, np.round(out)):
        out = out.astype(dtype)  # the user's integer type, when every value fits it
    return out.reshape(np.shape(decoded))


def _clip_to_range(values: np.ndarray, column: Column) -> np.ndarray:
    """An integer column's values clipped to its grid's range, not rounded."""
    low, high = column.levels
    return np.clip(values, low, high)


def _like(col: pd.Series, original: pd.Series, decoded: pd.Series) -> pd.Series:
    """Give a filled column the user's dtype, or the decoded one if the user's held NaN only."""
    for dtype in (original.dtype, decoded.dtype):
        try:
            return col.astype(dtype)
        except (TypeError, ValueError):
            continue
    return col
