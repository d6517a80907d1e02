"""The variational bound of a diffusion model: ``log p(x) >= -(L_T + sum_t L_t + L_0)``.

``L_T`` is the prior term ``KL(q(x_{T-1} | x_0) || N(0, I))``, ``L_t`` the KL between the
forward posterior and the model's step (with the posterior's variance), ``L_0`` the decoder
``-log p(x_0 | x_1)`` (:meth:`~genlab.models.diffusion.layout.Layout.decoder_log_prob`). The
middle sum runs over every step when there are at most ``n_steps`` of them; otherwise it is
estimated by stratified sampling: the steps are cut into ``n_steps`` equal strata, one step
drawn in each and weighted by the stratum's size. Steps and noise come from a generator seeded
with ``seed``, so the number is deterministic for a given ``X`` (a row's noise depends on
its position in ``X``), and the same for every class, which makes per-class bounds
comparable.

Reference:
    Ho, J., Jain, A. & Abbeel, P. (2020). Denoising diffusion probabilistic models. NeurIPS.
"""

from __future__ import annotations

import numpy as np
import torch

from genlab.models.diffusion.layout import Layout
from genlab.models.diffusion.process import GaussianDiffusion
from genlab.models.diffusion.reverse import EpsFn


def bound_steps(T: int, n_steps: int, g: torch.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Steps ``1 .. T-1`` of the middle sum and their weights: all of them (weight 1) or one
    per stratum.

    Example:
        >>> bound_steps(5, 10, torch.Generator())[0].tolist()
        [1, 2, 3, 4]
        >>> t, w = bound_steps(1000, 10, torch.Generator().manual_seed(0))
        >>> len(t), float(w.sum())
        (10, 999.0)
    """
    if n_steps >= T - 1:
        return np.arange(1, T), np.ones(T - 1)
    edges = np.round(np.linspace(1, T, n_steps + 1)).astype(np.int64)  # strata [e_k, e_k+1)
    widths = np.diff(edges)
    u = torch.rand(n_steps, generator=g, dtype=torch.float64).numpy()
    return edges[:-1] + np.floor(u * widths).astype(np.int64), widths.astype(np.float64)


@torch.no_grad()
def negative_bound(
    process: GaussianDiffusion,
    eps_fn: EpsFn,
    layout: Layout,
    x0: torch.Tensor,
    n_steps: int,
    seed: int,
    clip: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> torch.Tensor:
    """``L_T + sum_t L_t + L_0`` per row ``(N,)`` nats (float64) for rows ``x0`` ``(N, D)``
    in the diffusion space; the model's ``x_0`` predictions are kept within ``clip``."""
    g = torch.Generator().manual_seed(seed)
    x0 = x0.double()
    n = len(x0)
    total = process.prior_kl(x0).sum(1)  # (N,)
    t0 = torch.zeros(n, dtype=torch.long)
    x1 = process.q_sample(x0, t0, torch.randn(x0.shape, generator=g, dtype=torch.float64))
    mean = process.predict_x0(x1, eps_fn(x1.float(), t0).double(), t0, clip)
    total = total - layout.decoder_log_prob(x0, mean, process.decoder_var)
    steps, weights = bound_steps(process.T, n_steps, g)
    for t, w in zip(steps.tolist(), weights.tolist(), strict=True):
        tt = torch.full((n,), t)
        x_t = process.q_sample(x0, tt, torch.randn(x0.shape, generator=g, dtype=torch.float64))
        eps = eps_fn(x_t.float(), tt).double()
        total = total + w * process.bound_term(x0, x_t, eps, tt, clip).sum(1)
    return total
