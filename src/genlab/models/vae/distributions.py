"""The distributions of a (hierarchical) VAE: diagonal Gaussians for the latents and
:class:`ColumnsDistribution`, the per-column likelihood ``p(x | z_1)``.

A Gaussian layer is read from one raw network output ``(B, 2d)``: the first half are means,
the second half scales before a softplus; scales never fall below a small floor, so
``log q`` stays finite.

Example:
    >>> import torch
    >>> q = diagonal_normal(torch.zeros(3, 4))  # (B, 2d): d = 2
    >>> q.base_dist.loc.shape, round(float(q.base_dist.scale[0, 0]), 4)
    (torch.Size([3, 2]), 0.6932)
    >>> draw(q, None, noise=False).abs().sum().item()
    0.0
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.distributions import Independent, Normal
from torch.nn import functional as F

#: Gaussian scales never reach 0 (keeps log q finite).
MIN_SCALE = 1e-4


def diagonal_normal(raw: torch.Tensor) -> Independent:
    """A diagonal Gaussian from ``raw (B, 2d)``: first half means, second half pre-softplus."""
    loc, pre_scale = raw.chunk(2, dim=-1)
    scale = F.softplus(pre_scale) + MIN_SCALE
    return Independent(Normal(loc, scale, validate_args=False), 1)


def standard_normal(like: torch.Tensor, dim: int) -> Independent:
    """``N(0, I)`` on ``dim`` dimensions (batch shape ``()``: it broadcasts), ``like``'s dtype."""
    zeros = like.new_zeros(dim)
    return Independent(Normal(zeros, torch.ones_like(zeros), validate_args=False), 1)


def unit_normal(loc: torch.Tensor) -> Independent:
    """``N(loc, I)`` for means ``loc (B, d)``."""
    return Independent(Normal(loc, torch.ones_like(loc), validate_args=False), 1)


def draw(dist: Independent, generator: torch.Generator | None, noise: bool = True) -> torch.Tensor:
    """A reparameterized draw from a diagonal Gaussian (seeded by ``generator``), or its mean."""
    loc, scale = dist.base_dist.loc, dist.base_dist.scale
    if not noise:
        return loc
    eps = torch.randn(loc.shape, generator=generator, dtype=loc.dtype, device=loc.device)
    return loc + scale * eps


def loc_scale(dist: Independent) -> torch.Tensor:
    """A diagonal Gaussian as one tensor ``(B, 2d)``: means then scales (chunks concatenate)."""
    return torch.cat([dist.base_dist.loc, dist.base_dist.scale], dim=-1)


class ColumnsDistribution:
    """``p(x | z)`` for a block of rows: the heads' per-column distributions.

    Rows are on the network's scale (see :meth:`~genlab.VAE.network_rows`: continuous columns
    standardized, the rest as the schema encodes them); ``log_prob`` adds the log-Jacobian of
    the standardization, so it is a density in the user's units.
    """

    def __init__(self, net: nn.Module, params: torch.Tensor) -> None:
        # net: the LatentNet whose ``heads`` read params (N, P) and whose ``log_scale`` (D,)
        # is the log-Jacobian of the standardization
        self.net, self.params = net, params

    def __getitem__(self, rows: Any) -> ColumnsDistribution:
        return ColumnsDistribution(self.net, self.params[rows])

    def log_prob_columns(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, D)`` log-likelihood per entry, 0 where ``x`` is NaN (missing)."""
        lp = self.net.heads.log_prob(self.params, x)
        return lp - torch.where(torch.isnan(x), 0.0, self.net.log_scale)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """``(N,)`` log-likelihood of the observed entries of each row."""
        return self.log_prob_columns(x).sum(-1)

    def sample(self, generator: torch.Generator | None = None) -> torch.Tensor:
        """One draw per row, ``(N, D)``."""
        return self.net.heads.sample(self.params, generator)

    def mean(self) -> torch.Tensor:
        """Means (integer/continuous columns) and most probable categories, ``(N, D)``."""
        return self.net.heads.mean(self.params)

    def log_pmf(self, column: int) -> torch.Tensor:
        """``(N, L)`` log-probabilities of every level/category of a discrete column."""
        return self.net.heads.log_pmf(self.params, column)
