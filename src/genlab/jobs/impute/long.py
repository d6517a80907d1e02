"""Long tables: ``M`` imputations stacked into one table with an ``imputation`` column.

This is the layout ``genlab impute --multiple M`` writes; :func:`from_long` splits it back.

Example:
    >>> import numpy as np
    >>> long = to_long([np.zeros((2, 1)), np.ones((2, 1))])
    >>> len(long), len(from_long(long))
    (4, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from genlab.core.errors import InputError
from genlab.data.rows import flatten_rows

__all__ = ["IMPUTATION_COLUMN", "from_long", "to_long"]

#: Name of the column that numbers the imputations in a long table (as the CLI writes it).
IMPUTATION_COLUMN = "imputation"


def to_long(imputations: Sequence[Any], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Stack ``M`` imputations into one table with an ``imputation`` column (0..M-1).

    This is the layout ``genlab impute --multiple M`` writes; arrays and images become one row
    per example (images flattened), named by ``columns`` (default ``"0", "1", ...``).

    Example:
        >>> import numpy as np
        >>> long = to_long([np.zeros((2, 1)), np.ones((2, 1))])
        >>> long.columns.tolist(), long["imputation"].tolist()
        (['0', 'imputation'], [0, 0, 1, 1])
    """
    frames = []
    for m, X in enumerate(imputations):
        if not isinstance(X, pd.DataFrame):
            flat = flatten_rows(X)
            names = [str(j) for j in range(flat.shape[1])] if columns is None else list(columns)
            X = pd.DataFrame(flat, columns=names)
        if IMPUTATION_COLUMN in X.columns:
            raise InputError(f"the data already has a column named {IMPUTATION_COLUMN!r}")
        frames.append(X.assign(**{IMPUTATION_COLUMN: m}))
    if not frames:
        raise InputError("to_long needs at least one imputation")
    return pd.concat(frames, ignore_index=True)


def from_long(table: pd.DataFrame) -> list[pd.DataFrame]:
    """Split a long table (``imputation`` column) back into its ``M`` completed datasets.

    Rows keep their order within each imputation; the ``imputation`` column is dropped.

    Example:
        >>> import numpy as np
        >>> long = to_long([np.zeros((2, 1)), np.ones((2, 1))])
        >>> [d["0"].tolist() for d in from_long(long)]
        [[0.0, 0.0], [1.0, 1.0]]
    """
    if not isinstance(table, pd.DataFrame) or IMPUTATION_COLUMN not in table.columns:
        raise InputError(f"a long table is a DataFrame with an {IMPUTATION_COLUMN!r} column")
    groups = table.groupby(IMPUTATION_COLUMN, sort=True)
    sizes = groups.size()
    if sizes.nunique() != 1:
        raise InputError(f"imputations have different numbers of rows: {sizes.to_dict()}")
    return [group.drop(columns=IMPUTATION_COLUMN).reset_index(drop=True) for _, group in groups]
