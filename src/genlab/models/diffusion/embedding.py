"""The context a denoiser reads besides its input: the diffusion step, the class, an image.

:class:`StepContext` embeds the step index ``t`` sinusoidally (as a transformer embeds
positions), passes it through a small MLP, and adds the class vector of a
:class:`~genlab.nn.context.ClassEmbedding` with a "no condition" row (code ``-1``), the
unconditional branch of classifier-free guidance.

An image condition reaches the network as input channels instead (:func:`image_context`):
the condition upsampled to the data's size, plus a channel that says whether it is there (a
row of NaN is the "no condition" of guidance).

Example:
    >>> import torch
    >>> ctx = StepContext(dim=16, n_classes=3)
    >>> ctx(torch.tensor([0, 5]), torch.tensor([2, -1])).shape
    torch.Size([2, 16])
"""

from __future__ import annotations

import math

import torch
from torch import nn

from genlab.nn.context import ClassEmbedding


def sinusoidal(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features ``(B, dim)`` of step indices ``t`` ``(B,)`` (``dim`` even)."""
    half = dim // 2
    k = torch.arange(half, dtype=torch.float32, device=t.device)
    freqs = torch.exp(-math.log(10000.0) * k / half)
    angles = t.float()[:, None] * freqs[None]  # (B, half)
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


class StepContext(nn.Module):
    """Steps ``(B,)`` and optional class codes ``(B,)`` -> context ``(B, dim)``.

    Args:
        dim: width of the context (even).
        n_classes: number of classes; 0 for an unconditional model.
    """

    def __init__(self, dim: int, n_classes: int = 0) -> None:
        super().__init__()
        self.dim = dim
        self.mlp = nn.Sequential(nn.Linear(dim, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.classes = ClassEmbedding(n_classes, dim, null=True) if n_classes else None

    def forward(self, t: torch.Tensor, codes: torch.Tensor | None = None) -> torch.Tensor:
        out = self.mlp(sinusoidal(t, self.dim))
        if self.classes is not None:
            if codes is None:  # no label given: the "no condition" row
                codes = torch.full((len(t),), -1, dtype=torch.long, device=t.device)
            out = out + self.classes(codes)
        return out


def image_context(codes: torch.Tensor | None, n: int, dim: int) -> torch.Tensor:
    """Image conditions ``(n, dim)`` in the diffusion space (rows of NaN: none; ``codes``
    None: none for every row) -> network input ``(n, dim + 1)``: the condition with zeros
    where there is none, and a last column of 1 where there is one."""
    if codes is None:
        return torch.zeros(n, dim + 1)
    present = ~torch.isnan(codes[:, :1])  # (n, 1)
    return torch.cat([torch.nan_to_num(codes.float()), present.float()], dim=1)
