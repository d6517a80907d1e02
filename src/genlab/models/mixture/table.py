"""The validated training table of EM, and the checks of a table given to a fitted mixture.

Continuous entries are missing where NaN, categorical ones where -1. A training table may not
have an entirely missing row or column; its continuous columns are centred so that the sums of
the M-step stay accurate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from genlab.core.errors import InputError
from genlab.models.mixture.categorical import as_categories
from genlab.models.mixture.params import MixtureParams


@dataclass(frozen=True)
class Table:
    """A validated training table; continuous columns centred so the M-step sums stay accurate."""

    Xc: np.ndarray  # (N, Dc) centred, NaN where missing
    miss: np.ndarray  # (N, Dc) bool
    Xcat: np.ndarray  # (N, Dj) int, -1 where missing
    n_categories: list[int]
    shift: np.ndarray  # (Dc,) column means that were subtracted
    col_var: np.ndarray  # (Dc,) column variances (observed entries)


def as_table(
    Xc: np.ndarray | None, Xcat: np.ndarray | None, n_categories: Sequence[int] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Converts and checks the two blocks of a table; raises InputError naming the fault."""
    if Xc is None and Xcat is None:
        raise InputError("give at least one of Xc (continuous) and Xcat (categorical)")
    n_rows = len(Xc) if Xc is not None else len(Xcat)
    Xc = np.zeros((n_rows, 0)) if Xc is None else np.asarray(Xc, dtype=np.float64)
    Xcat = np.zeros((n_rows, 0), np.int64) if Xcat is None else np.asarray(Xcat)
    for name, block in (("Xc", Xc), ("Xcat", Xcat)):
        if block.ndim != 2:
            raise InputError(f"{name} must be 2-D (rows, columns), got shape {block.shape}")
    if len(Xc) != len(Xcat):
        raise InputError(f"Xc has {len(Xc)} rows but Xcat has {len(Xcat)}")
    if n_rows == 0 or Xc.shape[1] + Xcat.shape[1] == 0:
        raise InputError(f"the table is empty (shape Xc {Xc.shape}, Xcat {Xcat.shape})")
    if np.isinf(Xc).any():
        row, col = np.argwhere(np.isinf(Xc))[0]
        raise InputError(f"Xc[{row}, {col}] is infinite; use NaN for a missing entry")
    return Xc, as_categories(Xcat, list(n_categories or []))


def check_params_match(params: MixtureParams, Xc: np.ndarray) -> None:
    """Raises InputError unless ``Xc`` has the mixture's number of continuous columns."""
    if Xc.shape[1] != params.n_continuous:
        raise InputError(
            f"Xc has {Xc.shape[1]} columns but the mixture has {params.n_continuous} continuous"
        )


def fit_table(
    Xc: np.ndarray | None, Xcat: np.ndarray | None, n_categories: Sequence[int] | None
) -> Table:
    """Validates a training table: no entirely missing row or column; centres Xc."""
    Xc, Xcat = as_table(Xc, Xcat, n_categories)
    miss = np.isnan(Xc)
    missing = np.concatenate([miss, Xcat < 0], axis=1)  # (N, Dc + Dj)
    empty_rows = np.flatnonzero(missing.all(axis=1))
    if empty_rows.size:
        raise InputError(
            f"row {empty_rows[0]} has no observed entry ({empty_rows.size} such rows); "
            "drop such rows before fitting"
        )
    empty_cols = np.flatnonzero(missing.all(axis=0))
    if empty_cols.size:
        col = empty_cols[0]
        where = (
            f"column {col} of Xc" if col < Xc.shape[1] else f"column {col - Xc.shape[1]} of Xcat"
        )
        raise InputError(f"{where} has no observed entry; drop it before fitting")
    shift = np.nanmean(Xc, axis=0) if Xc.shape[1] else np.zeros(0)
    centred = Xc - shift
    col_var = np.nanmean(centred**2, axis=0) if Xc.shape[1] else np.zeros(0)
    return Table(centred, miss, Xcat, list(n_categories or []), shift, col_var)
