"""What each column of the user's data is, so models give answers back in the user's types.

A :class:`Schema` is inferred once, at ``fit``, and saved with the model. It turns the user's
data (ndarray, DataFrame or image array) into one float64 matrix that every family works on,
and turns the family's output back:

* ``continuous`` columns stay as they are;
* ``integer`` columns are a grid of unit-spaced levels (pixel intensities, counts); continuous
  families dequantize them, discrete families model the levels exactly;
* ``categorical`` columns become integer codes ``0..C-1`` (stored as floats).

Missing entries (NaN, None, pandas NA) become NaN in the matrix.

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"size": [1.5, 2.0, None], "color": ["red", "blue", "red"]})
    >>> schema = infer_schema(df)
    >>> [(c.name, c.kind) for c in schema.columns]
    [('size', 'continuous'), ('color', 'categorical')]
    >>> schema.encode(df)
    array([[1.5, 1. ],
           [2. , 0. ],
           [nan, 1. ]])
    >>> schema.decode(schema.encode(df)).equals(df)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from genlab.core.condition import python_value
from genlab.core.errors import InputError
from genlab.data.columns import (
    MAX_INTEGER_LEVELS,
    Column,
    ColumnKind,
    as_numeric_array,
    check_finite,
    decode_column,
    encode_series,
    round_to_grid,
)
from genlab.data.rows import flatten_rows

Container = Literal["ndarray", "dataframe", "image"]


@dataclass(frozen=True)
class ColumnGroups:
    """Masks: ``numeric`` (D,), ``integer_in_numeric`` (D_num,), ``n_categories`` (D_cat,)."""

    numeric: np.ndarray
    integer_in_numeric: np.ndarray
    n_categories: np.ndarray


@dataclass(frozen=True)
class Schema:
    """Columns of the data plus the container they came in (see module docstring)."""

    columns: tuple[Column, ...]
    container: Container = "ndarray"
    image_shape: tuple[int, ...] | None = None  # (H, W) or (H, W, C) for images
    array_dtype: str = "float64"  # dtype of an ndarray/image container
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------------ views
    @property
    def n_columns(self) -> int:
        return len(self.columns)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def indices(self, kind: ColumnKind) -> np.ndarray:
        """Positions of the columns of one kind, e.g. ``schema.indices("categorical")``."""
        return np.array([i for i, c in enumerate(self.columns) if c.kind == kind], dtype=np.int64)

    def column_groups(self) -> ColumnGroups:
        """Masks that families split their columns by (numeric vs categorical, integer grids)."""
        kinds = np.array([c.kind for c in self.columns])
        numeric = kinds != "categorical"
        return ColumnGroups(
            numeric=numeric,
            integer_in_numeric=(kinds == "integer")[numeric],
            n_categories=np.array(
                [c.n_categories for c in self.columns if c.kind == "categorical"], dtype=np.int64
            ),
        )

    @property
    def is_discrete(self) -> bool:
        """True when every column lives on a grid (bits/dim are then exact on that grid)."""
        return all(c.kind != "continuous" for c in self.columns)

    # --------------------------------------------------------------- encoding
    def encode(self, X: Any, *, what: str = "X") -> np.ndarray:
        """User data -> float64 matrix ``(N, D)`` with NaN for missing entries.

        Raises:
            InputError: wrong shape or columns, strings in a numeric column, infinite values,
                or a category the model never saw (the message names column and row).
        """
        if self.container == "dataframe":
            return self._encode_frame(X, what)
        A = as_numeric_array(X, what)
        if self.container == "image" and A.ndim >= 3:
            if tuple(A.shape[1:]) != tuple(self.image_shape):
                raise InputError(
                    f"{what} has images of shape {A.shape[1:]}, the model expects "
                    f"{self.image_shape}"
                )
            A = flatten_rows(A)
        if A.ndim == 1:
            A = A.reshape(-1, 1) if self.n_columns == 1 else A.reshape(1, -1)
        if A.ndim != 2 or A.shape[1] != self.n_columns:
            raise InputError(
                f"{what} has shape {A.shape}; the model was fitted on {self.n_columns} columns"
                + (f" (images of shape {self.image_shape})" if self.image_shape else "")
            )
        check_finite(A, self.names, what)
        return A

    def _encode_frame(self, X: Any, what: str) -> np.ndarray:
        if not isinstance(X, pd.DataFrame):
            # A plain array given to a model fitted on a DataFrame: accept it by position.
            A = as_numeric_array(X, what) if self.indices("categorical").size == 0 else None
            if A is None or A.ndim != 2 or A.shape[1] != self.n_columns:
                raise InputError(f"{what} must be a DataFrame with columns {self.names}")
            X = pd.DataFrame(A, columns=self.names)
        X = _with_text_labels(X, what)
        missing = [n for n in self.names if n not in X.columns]
        if missing:
            has = [str(c) for c in X.columns]
            shown = has if len(has) <= 8 else [*has[:8], f"... ({len(has)} in all)"]
            raise InputError(
                f"{what} lacks column(s) {missing} of the {self.names} the model was fitted on; "
                f"it has {shown}"
            )
        out = np.empty((len(X), self.n_columns), dtype=np.float64)
        for j, col in enumerate(self.columns):
            out[:, j] = encode_series(X[col.name], col, what)
        return out

    def decode(self, A: np.ndarray) -> Any:
        """Float64 matrix ``(N, D)`` -> the user's container, dtypes and categories.

        Integer columns are rounded and clipped to their grid; categorical codes are
        rounded and clipped to valid categories. NaN stays missing.
        """
        A = np.asarray(A, dtype=np.float64).reshape(-1, self.n_columns)
        if self.container == "dataframe":
            return pd.DataFrame(
                {c.name: decode_column(A[:, j], c) for j, c in enumerate(self.columns)}
            )
        A = A.copy()
        for j, c in enumerate(self.columns):
            if c.kind == "integer":
                A[:, j] = round_to_grid(A[:, j], c)
        if not np.isnan(A).any():
            A = A.astype(self.array_dtype)
        if self.container == "image":
            A = A.reshape((len(A), *self.image_shape))
        return A

    # ----------------------------------------------------------- persistence
    def to_dict(self) -> dict:
        return {
            "container": self.container,
            "image_shape": list(self.image_shape) if self.image_shape else None,
            "array_dtype": self.array_dtype,
            "columns": [
                {"name": c.name, "kind": c.kind, "levels": _jsonable(c.levels), "dtype": c.dtype}
                for c in self.columns
            ],
        }

    @classmethod
    def from_dict(cls, d: dict) -> Schema:
        cols = tuple(
            Column(c["name"], c["kind"], tuple(c["levels"]), c["dtype"]) for c in d["columns"]
        )
        shape = tuple(d["image_shape"]) if d.get("image_shape") else None
        return cls(cols, d["container"], shape, d.get("array_dtype", "float64"))

    def with_overrides(self, overrides: dict[str, ColumnKind]) -> Schema:
        """A copy with some columns' kinds changed; levels are re-derived on the next infer."""
        unknown = set(overrides) - set(self.names)
        if unknown:
            raise InputError(f"schema override names unknown column(s) {sorted(unknown)}")
        cols = tuple(
            Column(c.name, overrides.get(c.name, c.kind), c.levels, c.dtype) for c in self.columns
        )
        return Schema(cols, self.container, self.image_shape, self.array_dtype)


# =================================================================== inference
def infer_schema(
    X: Any,
    *,
    kinds: dict[str, ColumnKind] | None = None,
    image_shape: Sequence[int] | None = None,
    levels: tuple[int, int] | None = None,
) -> Schema:
    """Infer a :class:`Schema` from data.

    Args:
        X: ndarray ``(N, D)``, image array ``(N, H, W[, C])`` or DataFrame.
        kinds: override the kind of named columns (DataFrame) or of ``"x0"``, ``"x1"``, ...
        image_shape: treat the flattened columns as images of this shape.
        levels: force the integer grid ``(low, high)`` for every integer column (e.g. pixel
            levels 0..16 when some training pixels never reach the top level).

    Example:
        >>> import numpy as np
        >>> s = infer_schema(np.zeros((4, 8, 8), dtype=np.uint8))
        >>> s.container, s.image_shape, s.columns[0].kind, s.columns[0].levels
        ('image', (8, 8), 'integer', (0, 255))
    """
    if isinstance(X, pd.DataFrame):
        if X.shape[1] == 0:
            raise InputError("X has no columns")
        if len(X) == 0:
            raise InputError("X is empty: need at least one row")
        X = _with_text_labels(X, "X")
        cols = tuple(_infer_column(name, X[name], kinds or {}, levels) for name in X.columns)
        return Schema(cols, "dataframe")
    A = as_numeric_array(X, "X")
    if A.size == 0 or len(A) == 0:
        raise InputError(f"X is empty (shape {A.shape}): need at least one row")
    container: Container = "ndarray"
    if A.ndim >= 3:
        image_shape, container = tuple(A.shape[1:]), "image"
    elif image_shape is not None:
        container = "image"
    if A.ndim == 1:
        A = A.reshape(-1, 1)
    A = flatten_rows(A)
    if image_shape is not None and int(np.prod(image_shape)) != A.shape[1]:
        raise InputError(f"image_shape {tuple(image_shape)} does not match {A.shape[1]} columns")
    dtype = np.asarray(X).dtype if not isinstance(X, list) else A.dtype
    kind, grid = _numeric_kind(A, dtype, levels)
    names = [f"x{j}" for j in range(A.shape[1])]
    overrides = kinds or {}
    cols = tuple(Column(n, overrides.get(n, kind), grid, str(dtype)) for n in names)
    if any(c.kind == "categorical" for c in cols):
        raise InputError("categorical columns need a DataFrame (an array has no categories)")
    shape = tuple(int(s) for s in image_shape) if image_shape is not None else None
    out = Schema(cols, container, shape, str(dtype))
    check_finite(A, out.names, "X")
    return out


def _with_text_labels(X: pd.DataFrame, what: str) -> pd.DataFrame:
    """``X`` with its column labels as text (a schema names columns by text, so
    ``pd.DataFrame(array)``'s labels 0, 1, 2 are found as '0', '1', '2'); two columns whose
    labels read the same are refused, since a column could not be told from the other."""
    labels = [str(c) for c in X.columns]
    seen: set[str] = set()
    for label in labels:
        if label in seen:
            raise InputError(
                f"{what} has two columns named {label!r}: rename one, so each has its own name"
            )
        seen.add(label)
    if all(isinstance(c, str) for c in X.columns):
        return X
    return X.set_axis(labels, axis=1)


def _numeric_kind(
    A: np.ndarray, dtype: np.dtype, levels: tuple[int, int] | None
) -> tuple[ColumnKind, tuple]:
    """An integer array (or bool) is one grid shared by all columns: it is homogeneous data."""
    if levels is not None:
        return "integer", (int(levels[0]), int(levels[1]))
    if np.issubdtype(dtype, np.integer) or dtype == np.bool_:
        if np.issubdtype(dtype, np.uint8):
            return "integer", (0, 255)
        lo, hi = int(np.nanmin(A)), int(np.nanmax(A))
        if hi - lo + 1 <= MAX_INTEGER_LEVELS:
            return "integer", (lo, hi)
    return "continuous", ()


def _infer_column(
    name: str, s: pd.Series, kinds: dict[str, ColumnKind], levels: tuple[int, int] | None
) -> Column:
    dtype = str(s.dtype)
    kind = kinds.get(name)
    numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    if kind is None:
        if not numeric:
            kind = "categorical"
        elif pd.api.types.is_integer_dtype(s) or levels is not None:
            kind = "integer"
        else:
            kind = "continuous"
    observed = s.dropna()
    if observed.empty:
        raise InputError(f"column {name!r} is entirely missing")
    if kind == "categorical":
        cats = (
            tuple(s.cat.categories)
            if isinstance(s.dtype, pd.CategoricalDtype)
            else tuple(sorted(observed.unique(), key=str))
        )
        return Column(name, "categorical", tuple(python_value(c) for c in cats), dtype)
    if not numeric:
        raise InputError(f"column {name!r} holds non-numbers; it cannot be {kind}")
    if kind == "integer":
        grid = levels or (int(np.floor(observed.min())), int(np.ceil(observed.max())))
        if grid[1] - grid[0] + 1 > MAX_INTEGER_LEVELS and name not in kinds:
            return Column(name, "continuous", (), dtype)
        return Column(name, "integer", grid, dtype)
    return Column(name, "continuous", (), dtype)


def _jsonable(levels: tuple) -> list:
    return [python_value(v) for v in levels]
