"""One column: what it is (:class:`Column`), its values as float64 codes and back.

These are the checks and conversions behind :meth:`Schema.encode <genlab.data.schema.Schema.encode>`
and :meth:`Schema.decode <genlab.data.schema.Schema.decode>`; each error names the row and
column at fault.

Example:
    >>> import pandas as pd
    >>> col = Column("n", "integer", (0, 3), "int64")
    >>> decode_column(encode_series(pd.Series([1, 3]), col, "X"), col).tolist()
    [1, 3]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from genlab.core.condition import python_value
from genlab.core.errors import InputError

ColumnKind = Literal["continuous", "integer", "categorical"]

#: An integer column whose range spans at most this many levels is a grid; wider ones are
#: treated as continuous (IDs, timestamps, large counts).
MAX_INTEGER_LEVELS = 256


@dataclass(frozen=True)
class Column:
    """One column: its name, kind, levels (integer grid) or categories, and the user's dtype."""

    name: str
    kind: ColumnKind
    levels: tuple = ()  # integer: (low, high) of the unit grid; categorical: the categories
    dtype: str = "float64"

    @property
    def n_categories(self) -> int:
        return len(self.levels) if self.kind == "categorical" else 0

    @property
    def n_levels(self) -> int:
        """Number of values a discrete column can take (0 for continuous)."""
        if self.kind == "integer":
            return int(self.levels[1] - self.levels[0] + 1)
        return self.n_categories


def as_numeric_array(X: Any, what: str) -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        X = X.to_numpy()
    try:
        A = np.asarray(X)
    except ValueError as e:  # ragged lists
        raise InputError(f"{what} is not a rectangular array: {e}") from None
    if A.dtype == object or A.dtype.kind in "USV":
        try:
            return A.astype(np.float64)
        except (TypeError, ValueError):
            bad = first_non_number(A)
            raise InputError(f"{what} holds a non-number {bad[1]!r} at {bad[0]}") from None
    return A.astype(np.float64)


def first_non_number(A: np.ndarray) -> tuple[tuple, Any]:
    for idx, v in np.ndenumerate(A):
        try:
            float(v if v is not None else np.nan)
        except (TypeError, ValueError):
            return idx, v
    return (), None


def check_finite(A: np.ndarray, names: list[str], what: str) -> None:
    bad = np.isinf(A)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InputError(f"{what} has an infinite value at row {r}, column {names[c]!r}")


def encode_series(s: pd.Series, col: Column, what: str) -> np.ndarray:
    missing = s.isna().to_numpy()
    if col.kind == "categorical":
        lookup = {python_value(c): i for i, c in enumerate(col.levels)}
        codes = np.full(len(s), np.nan)
        for i, v in enumerate(s.to_numpy(dtype=object)):
            if missing[i]:
                continue
            code = lookup.get(python_value(v))
            if code is None:
                raise InputError(
                    f"{what}: column {col.name!r}, row {i} has category {v!r} the model never "
                    f"saw (known: {list(col.levels)})"
                )
            codes[i] = code
        return codes
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isnan(values) & ~missing
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"{what}: column {col.name!r}, row {i} holds {s.iloc[i]!r}, not a number")
    if np.isinf(values).any():
        i = int(np.argmax(np.isinf(values)))
        raise InputError(f"{what}: column {col.name!r}, row {i} is infinite")
    return values


def round_to_grid(v: np.ndarray, col: Column) -> np.ndarray:
    lo, hi = col.levels
    return np.clip(np.round(v), lo, hi)


def decode_column(v: np.ndarray, col: Column) -> pd.Series:
    missing = np.isnan(v)
    if col.kind == "categorical":
        codes = np.clip(np.round(np.nan_to_num(v)), 0, len(col.levels) - 1).astype(int)
        values = np.array(col.levels, dtype=object)[codes]
        values[missing] = None
        dtype = col.dtype
        if dtype == "category":
            return pd.Series(pd.Categorical(values, categories=list(col.levels)))
        s = pd.Series(values, dtype=object)
        try:
            return s.astype(dtype)
        except (TypeError, ValueError):
            return s
    if col.kind == "integer":
        v = round_to_grid(v, col)
    elif col.dtype.lower().startswith(("int", "uint")):
        v = np.round(v)  # a wide integer column modelled as continuous: values stay integers
    s = pd.Series(v)
    if missing.any() and col.dtype.startswith(("int", "uint")):
        return s.astype(col.dtype.replace("int", "Int").replace("uInt", "UInt"))
    return s.astype(col.dtype)
