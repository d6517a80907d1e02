"""Text cells -> typed columns, without changing an observed value.

A CSV is read with every cell as text; each column is then typed here:

- an empty cell is always missing;
- the usual NA tokens (:data:`NA_TOKENS`: ``NA``, ``N/A``, ``null``, ``NaN``, ...) are missing
  only in a column whose other cells are all numbers; in a text column they are values (``NA``
  is North America);
- ``na_values`` names more cells that are missing, in every column;
- a column of whole numbers becomes ``int64``, or nullable ``Int64`` when some cells are
  missing, so it is written back as ``51``, not ``51.0``;
- a column of ``True``/``False`` (as pandas writes booleans; also ``true``/``TRUE``) becomes
  booleans, as pandas' own reader makes it (NA tokens there are missing, as among numbers);
- text with a leading zero (``02140``) stays text, so it comes back identical;
- a column of numbers with a few stray strings stays categorical and a warning names the
  column and the first stray cell;
- dates and integers beyond 2**53 (float64 would round them) are refused with InputError.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"region": ["NA", "EU"], "n": ["51", ""]}, dtype=object)
    >>> typed = type_columns(frame, na_values=())
    >>> typed["region"].tolist(), typed["n"].tolist(), str(typed["n"].dtype)
    (['NA', 'EU'], [51, <NA>], 'Int64')
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from genlab.core.errors import InputError

__all__ = ["NA_TOKENS", "observed_text", "type_columns"]

#: Cells read as missing in a column whose other cells are numbers (case as written).
NA_TOKENS = frozenset(
    ["NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "null", "NULL", "None", "#N/A", "<NA>"]
)
#: float64 holds every integer up to this exactly; beyond it a value would be changed.
MAX_EXACT_INTEGER = 2**53
#: At most this share of a column's cells may be stray strings for the "numbers with a few
#: strings" warning (more than that and the column is plainly text).
STRAY_SHARE = 0.05

_TRUE = frozenset(["True", "true", "TRUE"])
_FALSE = frozenset(["False", "false", "FALSE"])
_INTEGER = re.compile(r"^[+-]?\d+$")
_LEADING_ZERO = re.compile(r"^[+-]?0\d")
_DATE = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def type_columns(frame: pd.DataFrame, na_values: Iterable[str] = ()) -> pd.DataFrame:
    """Type every text column of ``frame`` (cells are str, or NaN for an empty cell)."""
    extra = {"", *(str(v) for v in na_values)}
    return pd.DataFrame(
        {name: _type_column(str(name), frame[name], extra) for name in frame.columns},
        index=frame.index,
    )


def _type_column(name: str, s: pd.Series, extra: set[str]) -> pd.Series:
    s = s.astype(object).where(~s.isin(extra) & s.notna(), None)
    cells = s.dropna().astype(str)
    values = cells[~cells.isin(NA_TOKENS)]
    if values.empty:
        return s  # nothing but tokens: text (an all-missing column is refused at fit)
    if values.str.strip().str.match(_DATE).all():
        raise InputError(
            f"column {name!r} holds dates (e.g. {values.iloc[0]!r}); genlab models numbers and "
            "categories: convert it (e.g. to days since a start date) or drop it"
        )
    if values.isin(_TRUE | _FALSE).all():  # booleans; object with None where missing
        flags = s.map(lambda v: None if v is None or v in NA_TOKENS else v in _TRUE)
        return flags.astype(bool) if flags.notna().all() else flags
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all() and not values.str.strip().str.match(_LEADING_ZERO).any():
        return _numeric(name, s, values, numbers)
    _warn_strays(name, values, numbers)
    return s


def _numeric(name: str, s: pd.Series, values: pd.Series, numbers: pd.Series) -> pd.Series:
    """A column whose cells are all numbers (NA tokens then being missing)."""
    if values.str.strip().str.match(_INTEGER).all():
        big = [v for v in values if abs(int(v)) > MAX_EXACT_INTEGER]
        if big:
            raise InputError(
                f"column {name!r} holds the integer {big[0].strip()}, beyond 2**53: float64 "
                "would round it; store it as text (quote it with a letter) or rescale it"
            )
        out = pd.Series(pd.NA, index=s.index, dtype="Int64")
        out[values.index] = [int(v) for v in values]
        return out if out.isna().any() else out.astype("int64")
    out = pd.Series(np.nan, index=s.index, dtype="float64")
    out[values.index] = numbers.astype("float64")
    return out


def _warn_strays(name: str, values: pd.Series, numbers: pd.Series) -> None:
    """Warn when a column of numbers is made categorical by a few strings."""
    strays = values[numbers.isna()]
    if len(strays) and numbers.notna().any() and len(strays) <= max(1, STRAY_SHARE * len(values)):
        row = strays.index[0]
        warnings.warn(
            f"column {name!r} is read as categories (text) because of {strays.iloc[0]!r} in "
            f"row {row} ({len(strays)} such cell(s)); fix the cell or pass it in na_values "
            "(--na-values) to read the column as numbers",
            UserWarning,
            stacklevel=4,
        )


def observed_text(table: pd.DataFrame, source: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """``table`` (the rows of ``source``, e.g. imputed) with every cell observed in ``source``
    put back as the text ``cells`` (``read_cells`` of the file) had: a CSV written back
    shows each observed cell as it was (``3`` stays ``3``, not ``3.0``; ``1e3`` stays ``1e3``).

    Example:
        >>> source = pd.DataFrame({"x": [3.0, None, 1000.0]})
        >>> cells = pd.DataFrame({"x": ["3", None, "1e3"]})
        >>> observed_text(source.fillna(2.0), source, cells)["x"].tolist()
        ['3', 2.0, '1e3']
    """
    if len(cells) != len(table):
        return table
    out = table.copy()
    for name in out.columns:
        if name in cells.columns and name in source.columns:
            seen = source[name].notna().to_numpy()
            column = np.array(out[name].astype(object), dtype=object)
            column[seen] = cells[name].to_numpy()[seen]
            out[name] = pd.Series(column, index=out.index, dtype=object)
    return out
