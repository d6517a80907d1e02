"""The any-order network and its order-agnostic training loss.

:class:`AnyOrderNet` reads the observed entries of a row and says which of them are observed
(the input-mask trick of order-agnostic NADE: input ``x * m`` next to ``m``); it outputs, for
every column ``j``, the parameters of ``p(x_j | x_o)`` that :class:`~genlab.nn.heads.ColumnHeads`
reads. :func:`order_agnostic_nll` trains it on a random observed subset per row
(:func:`random_observed`): an unbiased estimate of the negative log-likelihood averaged over
all orders (Uria et al., 2014).

References:
    Uria, B., Murray, I. & Larochelle, H. (2014). A deep and tractable density estimator. ICML.
    Germain, M. et al. (2015). MADE: masked autoencoder for distribution estimation. ICML.

Example:
    >>> import torch
    >>> net = AnyOrderNet([{"kind": "categorical", "n_categories": 3}] * 2, [8])
    >>> x = torch.tensor([[2.0, 0.0]])
    >>> net(x, torch.tensor([[True, False]])).shape  # 3 logits per column
    torch.Size([1, 6])
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from genlab.nn.context import ClassContext
from genlab.nn.heads import ColumnHeads

_VAL_SUBSETS = 4  # random observed subsets per validation row


class AnyOrderNet(nn.Module):
    """MLP from ``(x * m, m, class)`` to the head parameters of every column.

    Args:
        spec: the :class:`ColumnHeads` spec (one dict per column).
        hidden_sizes: widths of the hidden layers.
        n_classes: number of class labels (0: unconditional).
        dropout: dropout after every hidden layer.
    """

    def __init__(
        self, spec: list[dict], hidden_sizes: list[int], n_classes: int = 0, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.heads = ColumnHeads(spec)
        self.n_classes = n_classes
        self.context = ClassContext(n_classes)  # one-hot, no weights
        # one input per numeric column (integers rescaled to about [-1, 1]), one-hot categories
        self._categorical = [s["kind"] == "categorical" for s in spec]
        self._one_hot_sizes = [s.get("n_categories", 1) for s in spec]
        centre = [sum(s["levels"]) / 2 if s["kind"] == "integer" else 0.0 for s in spec]
        half = [_half_width(s) for s in spec]
        self.register_buffer("_centre", torch.tensor(centre), persistent=False)
        self.register_buffer("_half", torch.tensor(half), persistent=False)
        # integer grids lo..hi (+-inf elsewhere): off-grid inputs are rounded and clipped, so
        # that the network conditions on the value the heads score (an edge bin for outliers)
        lo = [s["levels"][0] if s["kind"] == "integer" else -np.inf for s in spec]
        hi = [s["levels"][1] if s["kind"] == "integer" else np.inf for s in spec]
        self.register_buffer("_lo", torch.tensor(lo), persistent=False)
        self.register_buffer("_hi", torch.tensor(hi), persistent=False)
        integer = [s["kind"] == "integer" for s in spec]
        self.register_buffer("_integer", torch.tensor(integer), persistent=False)
        self._any_integer = any(integer)
        layers: list[nn.Module] = []
        width = sum(self._one_hot_sizes) + len(spec) + n_classes
        for h in hidden_sizes:
            layers += [nn.Linear(width, h), nn.GELU(), nn.Dropout(dropout)]
            width = h
        layers.append(nn.Linear(width, self.heads.n_params))
        self.net = nn.Sequential(*layers)

    def forward(
        self, x: torch.Tensor, observed: torch.Tensor, codes: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Head parameters ``(B, P)`` of ``p(x_j | x_o)`` for every column ``j``.

        Args:
            x: ``(B, D)`` values on the model's scale (entries not observed are ignored).
            observed: ``(B, D)`` bool, the entries the prediction may look at.
            codes: ``(B,)`` class codes when the network is class-conditional.
        """
        m = observed.to(x.dtype)
        x = torch.where(observed, x, torch.zeros_like(x))
        if self._any_integer:
            x = torch.where(self._integer, x.round(), x).clamp(
                self._lo.to(x.dtype), self._hi.to(x.dtype)
            )
        inputs = [self._features(x, m), m]
        if self.n_classes:
            inputs.append(self.context(codes, x.dtype))  # (B, C)
        return self.net(torch.cat(inputs, dim=1))

    def _features(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        """The observed values ``(B, F)``: numeric columns centred and scaled, categories
        one-hot, every entry not observed zero."""
        if not any(self._categorical):
            return (x - self._centre) / self._half * m  # (B, D)
        parts = []
        for j, size in enumerate(self._one_hot_sizes):
            if self._categorical[j]:
                one_hot = F.one_hot(x[:, j].long().clamp(0, size - 1), size)  # (B, C_j)
                parts.append(one_hot.to(x.dtype) * m[:, j : j + 1])
            else:
                parts.append(((x[:, j] - self._centre[j]) / self._half[j] * m[:, j])[:, None])
        return torch.cat(parts, dim=1)


def _half_width(s: dict) -> float:
    return max((s["levels"][1] - s["levels"][0]) / 2, 0.5) if s["kind"] == "integer" else 1.0


def random_observed(
    available: torch.Tensor, prefix_fraction: float = 0.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """A random observed subset of each row's ``available`` entries, ``(B, D)`` bool: its size
    uniform in ``0..n_available - 1``, the subset uniform (or, for a ``prefix_fraction`` of the
    rows, the first entries in column order).

    Example:
        >>> available = torch.tensor([[True, False, True]]).expand(100, 3)
        >>> observed = random_observed(available, generator=torch.Generator().manual_seed(0))
        >>> bool(observed[:, 1].any()), sorted(set(observed.sum(1).tolist()))
        (False, [0, 1])
    """
    B, D = available.shape
    keys = torch.rand(B, D, generator=generator, device=available.device)
    prefix = torch.rand(B, 1, generator=generator, device=available.device) < prefix_fraction
    keys = torch.where(prefix, torch.arange(D, device=available.device).expand(B, D) / D, keys)
    keys = keys.masked_fill(~available, 2.0)  # unavailable entries are never observed
    rank = keys.argsort(dim=1).argsort(dim=1)  # (B, D) position of each entry in the draw
    n_avail = available.sum(1, keepdim=True)
    size = (torch.rand(B, 1, generator=generator, device=available.device) * n_avail).long()
    return rank < size.clamp(max=n_avail - 1)


def order_agnostic_nll(
    module: nn.Module, batch: list[torch.Tensor], prefix_fraction: float = 0.0
) -> torch.Tensor:
    """Mean over rows of ``n_a / (n_a - d) * sum_{j in a, not in o} -log p(x_j | x_o)``.

    ``batch`` is ``[x, available]`` or ``[x, available, codes]``. In eval mode every row gets
    ``_VAL_SUBSETS`` subsets from a fixed seed, so that the validation loss of successive epochs
    is comparable and less noisy (early stopping reads it).
    """
    generator = None
    if not module.training:
        generator = torch.Generator(device=batch[0].device).manual_seed(len(batch[0]))
        batch = [t.repeat_interleave(_VAL_SUBSETS, 0) for t in batch]
    x, available = batch[0], batch[1]
    codes = batch[2] if len(batch) > 2 else None
    observed = random_observed(available, prefix_fraction, generator)
    params = module(x, observed, codes)
    target = available & ~observed
    base = module.module if hasattr(module, "module") else module  # DDP wraps the net
    lp = base.heads.log_prob(params, x)  # (B, D)
    n_avail = available.sum(1)
    weight = n_avail / (n_avail - observed.sum(1)).clamp_min(1)  # an empty row weighs nothing
    return -(weight * (lp * target).sum(1)).mean()
