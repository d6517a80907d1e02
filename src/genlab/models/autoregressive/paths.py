"""Walking an any-order network along orders: the chain rule and ancestral sampling.

Every conditional of :class:`~genlab.models.autoregressive.network.AnyOrderNet` is a normalized
distribution that sees only the observed entries, so walking the columns in any order ``sigma``
gives an exact likelihood ``log p_sigma(x) = sum_t log p(x_sigma(t) | x_sigma(<t))``
(:func:`chain_log_prob`) and exact draws of the missing entries, one column at a time
(:func:`ancestral_fill`). Rows walk in batches, each its own order; step ``t`` sends the rows
that still have a ``t``-th entry through the network together.

Example:
    >>> visit_order(torch.tensor([[False, True, False, True]]), torch.arange(4)).tolist()
    [[1, 3, 0, 2]]
    >>> seeded_orders(3, 2, seed=0)[0].tolist()
    [0, 1, 2]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from genlab.core.errors import InputError


def visit_order(first: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """Per row, the columns where ``first`` is True in ``order``'s sequence, then the others
    (also in that sequence), ``(B, D)`` long; ``order`` is ``(D,)`` or one per row ``(B, D)``.

    Example:
        >>> visit_order(torch.tensor([[False, True, False, True]]), torch.arange(4)).tolist()
        [[1, 3, 0, 2]]
    """
    B, D = first.shape
    order = order.expand(B, D)
    rank = torch.empty_like(order).scatter_(1, order, torch.arange(D).expand(B, D))
    keys = rank + D * (~first).long()  # (B, D)
    return keys.argsort(dim=1, stable=True)


def seeded_orders(n_features: int, n_orders: int, seed: int | None) -> np.ndarray:
    """The default order (the columns in turn), then ``n_orders - 1`` permutations drawn from
    ``seed`` (0 when None), ``(n_orders, n_features)``."""
    rng = np.random.default_rng(0 if seed is None else seed)
    return np.stack(
        [np.arange(n_features)] + [rng.permutation(n_features) for _ in range(n_orders - 1)]
    )


def check_orders(orders: Any, n_features: int) -> np.ndarray:
    """``orders`` as an int64 array ``(K, D)``, checked to hold permutations of the columns."""
    orders = np.atleast_2d(np.asarray(orders))
    D = n_features
    if (
        orders.ndim != 2
        or orders.shape[1] != D
        or not all(np.array_equal(np.sort(o), np.arange(D)) for o in orders)
    ):
        raise InputError(f"orders must be permutations of range({D}), shape (K, {D})")
    return orders.astype(np.int64)


@torch.no_grad()
def chain_log_prob(
    net: nn.Module,
    Z: torch.Tensor,
    available: torch.Tensor,
    codes: torch.Tensor | None,
    orders: torch.Tensor,
) -> np.ndarray:
    """``sum_t log p(x_seq(t) | x_seq(<t))`` over each row's available entries, ``(B,)``,
    visiting them in each row's order (``orders`` is ``(B, D)``; ``Z`` on the network's
    scale)."""
    seq = visit_order(available, orders)  # (B, D)
    n_steps = available.sum(1)  # (B,)
    observed = torch.zeros_like(available)
    total = torch.zeros(len(Z), dtype=torch.float64)
    for t in range(int(n_steps.max()) if len(Z) else 0):
        rows = torch.nonzero(t < n_steps)[:, 0]  # rows with a t-th entry
        target = seq[rows, t]
        params = net(Z[rows], observed[rows], None if codes is None else codes[rows])
        lp = net.heads.log_prob(params.double(), Z[rows].double())  # (b, D)
        total[rows] += lp.gather(1, target[:, None])[:, 0]
        observed[rows, target] = True
    return total.numpy()


@torch.no_grad()
def ancestral_fill(
    net: nn.Module,
    Z: torch.Tensor,
    available: torch.Tensor,
    codes: torch.Tensor | None,
    generator: torch.Generator,
    keep_means: bool,
) -> dict[str, torch.Tensor]:
    """Draw the missing entries one at a time in default order (exact ancestral sampling).

    Returns ``{"draw": Z filled}``; with ``keep_means`` also ``"mean"`` (each missing
    entry's conditional mean given its path) and one ``"probs<j>"`` per categorical column.
    """
    heads = net.heads
    missing = ~available
    seq = visit_order(missing, torch.arange(Z.shape[1]))  # missing columns first
    n_steps = missing.sum(1)
    Z, observed = Z.clone(), available.clone()
    means = Z.clone()
    categorical = [j for j, s in enumerate(heads.spec) if s["kind"] == "categorical"]
    probs = {j: torch.zeros(len(Z), heads.spec[j]["n_categories"]) for j in categorical}
    for t in range(int(n_steps.max()) if len(Z) else 0):
        rows = torch.nonzero(t < n_steps)[:, 0]
        target = seq[rows, t]
        params = net(Z[rows], observed[rows], None if codes is None else codes[rows])
        draw = heads.sample(params, generator).gather(1, target[:, None])[:, 0]
        if keep_means:
            means[rows, target] = heads.mean(params).gather(1, target[:, None])[:, 0]
            for j in categorical:
                at = target == j
                probs[j][rows[at]] = heads.log_pmf(params[at], j).exp()
        Z[rows, target] = draw
        observed[rows, target] = True
    return {"draw": Z, "mean": means, **{f"probs{j}": p for j, p in probs.items()}}


def average_paths(filled: dict[str, torch.Tensor], repeats: int) -> np.ndarray:
    """One draw per row, or the Rao-Blackwellized mean over ``repeats`` paths per row (the
    category of highest averaged probability for a categorical column)."""
    if repeats == 1:
        return filled["draw"].double().numpy()
    out = filled["mean"].double().reshape(-1, repeats, filled["mean"].shape[1]).mean(1)
    for key, p in filled.items():
        if key.startswith("probs"):
            j = int(key[len("probs") :])
            out[:, j] = p.reshape(-1, repeats, p.shape[1]).mean(1).argmax(1).double()
    return out.numpy()
