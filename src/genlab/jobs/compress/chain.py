"""The tables an autoregressive coder needs: a model's conditionals along orders of the columns.

A model codes here through two public methods (:class:`~genlab.AutoregressiveModel` has them):

* ``conditional_params(A, observed)``: the parameters of ``p(x_j | x_o)`` for every column
  ``j``, ``(N, P)``, computed on fixed chunks of rows (a row's values never depend on its
  batch);
* ``column_log_pmf(params, j, edges=None)``: column ``j``'s log-pmf over its grid from rows of
  those parameters, ``(n, L_j)`` float64, on fixed chunks too; ``edges`` are the bin edges of
  a continuous column.

:func:`target_log_pmf` gives each row the table of its own target column (one step of a
chain), :func:`chain_log_pmf` all the steps of each row's order at once (what an encoder,
which knows every value, sends to the network together). Tables have one width whatever the
targets (the largest grid of all columns), entries past a column's grid ``-inf``.

Example:
    >>> import genlab, numpy as np
    >>> ds = genlab.load_dataset("digits").subset(np.arange(100))
    >>> m = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=1, progress=False)
    >>> A = m.fit(ds).schema_.encode(ds.X[:3])
    >>> lp = target_log_pmf(m, A, np.zeros(A.shape, bool), np.array([0, 5, 9]))
    >>> lp.shape, np.allclose(np.exp(lp).sum(1), 1.0)
    ((3, 17), True)
    >>> w = genlab.load_dataset("wine").X.iloc[:40, :2].round(1)
    >>> m = genlab.AutoregressiveModel(hidden_sizes=(8,), max_epochs=1, progress=False)
    >>> A = m.fit(w).schema_.encode(w)
    >>> bins = {0: (0.1, 100, 160)}  # alcohol on a 0.1 grid: k = 100..160
    >>> lp = target_log_pmf(m, A, np.zeros(A.shape, bool), np.zeros(40), bins=bins)
    >>> lp.shape, np.allclose(np.exp(lp).sum(1), 1.0)
    ((40, 61), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from genlab.core.errors import InputError
from genlab.jobs.compress.grid import Bins, bin_edges, continuous_columns, grid_sizes


def target_log_pmf(
    model: Any,
    A: np.ndarray,
    observed: np.ndarray,
    target: np.ndarray,
    bins: Bins | None = None,
) -> np.ndarray:
    """``log p(x_target[i] = v | x_o)`` per row ``i`` over its target column's grid, float64
    ``(N, L_max)`` (``L_max``: the largest grid of all columns, whatever the targets; entries
    past a column's grid are -inf). Rows may have different targets (each its own order).

    Args:
        model: a fitted model with ``conditional_params`` and ``column_log_pmf``.
        A: ``(N, D)`` rows on the model's encoded scale; entries not observed are ignored.
        observed: ``(N, D)`` bool, the entries each row's table is conditioned on.
        target: ``(N,)`` the column each row's table is of.
        bins: ``{column: (step, k_min, k_max)}``, needed for each continuous target: its grid
            is ``k = k_min..k_max``, entry ``k - k_min`` the model's mass of the bin
            ``[(k - 1/2) step, (k + 1/2) step]``, the first and last bins also holding the
            tails below and above.
    """
    D = model.n_features_in_
    A = np.asarray(A, dtype=np.float64).reshape(-1, D)
    observed = np.asarray(observed, dtype=bool).reshape(A.shape)
    target = np.asarray(target, dtype=np.int64).reshape(-1)
    if len(target) != len(A) or (target < 0).any() or (target >= D).any():
        raise InputError(f"target must hold one column in 0..{D - 1} per row")
    bins = {int(j): (float(b[0]), int(b[1]), int(b[2])) for j, b in (bins or {}).items()}
    continuous = set(continuous_columns(model.schema_))
    for j in np.unique(target):
        if int(j) not in continuous:
            continue
        step, k_min, k_max = bins.get(int(j), (0.0, 0, -1))
        if not (np.isfinite(step) and step > 0 and k_min <= k_max):
            raise InputError(
                f"column {j} is continuous: pass bins={{{j}: (step, k_min, k_max)}} with "
                "step > 0 and k_min <= k_max"
            )
    params = model.conditional_params(A, observed)  # (N, P)
    sizes = grid_sizes(model.schema_, bins)
    out = np.full((len(A), int(sizes.max())), -np.inf)  # one width whatever the targets
    for j in np.unique(target):
        rows = np.flatnonzero(target == j)
        edges = bin_edges(bins[int(j)]) if int(j) in continuous else None
        lp = model.column_log_pmf(params[torch.as_tensor(rows)], int(j), edges=edges)
        out[rows, : sizes[j]] = lp
    return out


def chain_log_pmf(
    model: Any,
    values: np.ndarray,
    orders: np.ndarray,
    batch_size: int = 64,
    bins: Bins | None = None,
) -> np.ndarray:
    """``log p(x_sigma(t) = v | x_sigma(<t))`` for every row, step and value, ``(B, D, L)``.

    Args:
        model: a fitted model with ``conditional_params`` and ``column_log_pmf``.
        values: ``(B, D)`` rows on the model's encoded scale.
        orders: ``(B, D)`` one order per row.
        batch_size: rows sent to the network together (``batch_size * D`` table rows); the
            tables do not depend on it.
        bins: ``{column: (step, k_min, k_max)}`` of the continuous columns (their grids).
    """
    B, D = values.shape
    rank = np.empty_like(orders)
    np.put_along_axis(rank, orders, np.arange(D)[None, :].repeat(B, 0), axis=1)  # (B, D)
    out = []
    for start in range(0, B, max(1, batch_size)):
        rows = slice(start, start + max(1, batch_size))
        b = len(values[rows])
        observed = rank[rows, None, :] < np.arange(D)[None, :, None]  # (b, t, D): seen before t
        lp = target_log_pmf(
            model,
            np.repeat(values[rows], D, axis=0),
            observed.reshape(b * D, D),
            orders[rows].reshape(-1),
            bins,
        )  # (b * D, L)
        out.append(lp.reshape(b, D, -1))
    return np.concatenate(out) if out else np.zeros((0, D, 1))


def step_log_probs(tables: np.ndarray, symbols: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """Log-probability of each row's symbol at each step, ``(..., D)`` contiguous float64."""
    along = np.take_along_axis(symbols, orders, axis=-1)  # (..., D) symbol at step t
    lp = np.take_along_axis(tables, along[..., None], axis=-1)[..., 0]
    return np.ascontiguousarray(lp, dtype=np.float64)
