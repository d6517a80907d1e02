"""The grids ``compress`` codes on: symbols of discrete columns and stated bins of continuous ones.

A discrete column's symbol ``s`` is the value ``lo + s`` (``lo``: the bottom of an integer
column's grid, 0 for category codes). A continuous column is coded on the grid the caller
states with its ``step``: a value ``x`` becomes ``k = round(x / step)``, its symbol
``k - k_min`` over the range ``k_min..k_max`` of the data, and it decodes to ``k * step``
(:func:`grid_scale`). ``bins[j] = (step, k_min, k_max)`` describes column ``j``'s grid; the
file's header stores it.

Example:
    >>> import numpy as np
    >>> bins = {1: (0.01, 30, 40)}
    >>> symbol_values(np.array([[2, 5]]), lo=np.array([1, 30]), bins=bins).tolist()
    [[3.0, 0.35]]
    >>> bin_edges(bins[1])[:3].tolist()
    [-inf, 0.305, 0.315]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.core.errors import InputError
from genlab.jobs.compress.format import MAX_GRID_INDEX, check_grids

#: ``{column: (step, k_min, k_max)}`` of the continuous columns.
Bins = dict[int, tuple[float, int, int]]


def grid_scale(step: float) -> tuple[float, float]:
    """``(mul, den)`` with ``value = k * mul / den`` the value of grid point ``k`` of a continuous
    column: ``k / n`` when ``step == 1 / n`` for an integer ``n`` (so that ``step=0.01`` gives the
    same doubles as ``np.round(x, 2)``), else ``k * step``; ``(1, 1)`` for discrete columns.

    Example:
        >>> grid_scale(0.01), grid_scale(0.3), 35 * 0.01 == 0.35, 35 / 100 == 0.35
        ((1.0, 100.0), (0.3, 1.0), False, True)
    """
    n = round(1.0 / step) if step < 1 else 0
    return (1.0, float(n)) if n >= 1 and 1.0 / n == step else (float(step), 1.0)


def symbol_values(symbols: np.ndarray, lo: np.ndarray, bins: Bins | None) -> np.ndarray:
    """Values on the model's encoded scale of ``symbols (..., D)``: ``lo + symbol`` for discrete
    columns, the grid point ``k = lo + symbol`` (``lo = k_min``) of a continuous column's
    ``bins[j] = (step, k_min, k_max)`` as :func:`grid_scale` says."""
    D = symbols.shape[-1]
    mul, den = np.ones(D), np.ones(D)
    for j, b in (bins or {}).items():
        mul[j], den[j] = grid_scale(b[0])
    return (symbols + np.asarray(lo, dtype=np.float64)) * mul / den


def bin_edges(grid: tuple[float, int, int]) -> np.ndarray:
    """Edges ``(L + 1,)`` of the ``L = k_max - k_min + 1`` bins ``[(k - 1/2) step,
    (k + 1/2) step]`` of a continuous grid ``(step, k_min, k_max)``, the outer ones at
    ``-inf`` and ``+inf`` (the edge bins hold the tails)."""
    step, k_min, k_max = grid
    k = np.arange(k_min, k_max + 2, dtype=np.float64) - 0.5  # bin edges, in steps
    edges = k * step
    edges[0], edges[-1] = -np.inf, np.inf
    return edges


def continuous_columns(schema: Any) -> list[int]:
    """Positions of the continuous columns of ``schema``."""
    return [j for j, c in enumerate(schema.columns) if c.kind == "continuous"]


def symbol_bounds(schema: Any) -> tuple[np.ndarray, np.ndarray]:
    """The values ``(lo, hi)`` of the first and last symbol of each discrete column, ``(D,)``
    int64 each (0 for a continuous column: its grid comes with the data)."""
    cols = schema.columns
    lo = [c.levels[0] if c.kind == "integer" else 0 for c in cols]
    hi = [c.levels[1] if c.kind == "integer" else max(c.n_categories - 1, 0) for c in cols]
    return np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)


def grid_sizes(schema: Any, bins: Bins | None) -> np.ndarray:
    """Number of symbols of each column, ``(D,)`` int64: a discrete column's grid, a continuous
    column's bins (0 without them)."""
    lo, hi = symbol_bounds(schema)
    sizes = hi - lo + 1
    for j in continuous_columns(schema):
        b = (bins or {}).get(j)
        sizes[j] = 0 if b is None else b[2] - b[1] + 1
    return sizes


def continuous_bins(schema: Any, A: np.ndarray, step: Any) -> Bins:
    """``{column: (step, k_min, k_max)}`` of the continuous columns of ``A (N, D)``: the step
    asked for and the range of ``k = round(x / step)`` (checked against the format's limits)."""
    continuous = continuous_columns(schema)
    names = [schema.columns[j].name for j in continuous]
    if not continuous:
        if step is not None:
            raise InputError("step is for continuous columns; this model has none")
        return {}
    if step is None:
        raise InputError(
            f"continuous columns {names} are coded on a grid: pass step=, e.g. "
            "compress(model, X, step=0.01) (one step for all) or "
            f"step={{{names[0]!r}: 0.01, ...}} (CLI: --step 0.01)"
        )
    if isinstance(step, dict):
        unknown = sorted(set(map(str, step)) - set(names))
        missing = [n for n in names if n not in step]
        if unknown or missing:
            raise InputError(
                f"step must name each continuous column {names}; unknown: {unknown}, "
                f"missing: {missing}"
            )
        steps = [step[n] for n in names]
    else:
        steps = [step] * len(continuous)
    return {
        j: _column_bins(name, s, A[:, j])
        for j, name, s in zip(continuous, names, steps, strict=True)
    }


def _column_bins(name: str, s: Any, x: np.ndarray) -> tuple[float, int, int]:
    """The grid ``(step, k_min, k_max)`` of one continuous column's values ``x (N,)``."""
    try:
        s = float(s)
    except (TypeError, ValueError):
        raise InputError(f"step of column {name!r} must be a number, got {s!r}") from None
    if not (np.isfinite(s) and s > 0):
        raise InputError(f"step of column {name!r} must be a finite number > 0, got {s}")
    if len(x) == 0:
        return (s, 0, 0)
    mul, den = grid_scale(s)
    k = x * den / mul
    if not np.isfinite(k).all() or np.abs(k).max() > MAX_GRID_INDEX:
        raise InputError(
            f"column {name!r}: values up to {np.abs(x).max():g} are too large for "
            f"step {s} (|x / step| must stay under 2^53): use a larger step"
        )
    k = np.round(k)
    grid = (s, int(k.min()), int(k.max()))
    problem = check_grids((grid,))
    if problem:
        raise InputError(f"column {name!r}: {problem.replace('grid 0', 'its grid')}")
    return grid


def coded_values(schema: Any, X: Any) -> np.ndarray:
    """``X`` encoded, checked complete and on the grid, ``(N, D)``."""
    A = schema.encode(X.X if hasattr(X, "X") and hasattr(X, "schema") else X)
    if np.isnan(A).any():
        row, col = np.argwhere(np.isnan(A))[0]
        raise InputError(f"row {row}, column {col}: missing value; compress needs complete data")
    for j, c in enumerate(schema.columns):
        if c.kind == "continuous":
            if not np.isfinite(A[:, j]).all():
                raise InputError(f"column {c.name!r} holds infinite values; they cannot be coded")
            continue
        lo, hi = (c.levels[0], c.levels[1]) if c.kind == "integer" else (0, c.n_categories - 1)
        bad = (A[:, j] != np.round(A[:, j])) | (A[:, j] < lo) | (A[:, j] > hi)
        if bad.any():
            raise InputError(
                f"row {int(np.argmax(bad))}, column {c.name!r}: value {A[bad, j][0]} is off the "
                f"model's grid {lo}..{hi}; it cannot be coded losslessly"
            )
    return A
