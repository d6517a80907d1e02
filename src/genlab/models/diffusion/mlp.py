"""The denoiser for tables: an MLP on the row with the step/class context concatenated.

Example:
    >>> import torch
    >>> net = MLPDenoiser({"d": 5, "hidden": 32, "depth": 2, "emb_dim": 16, "n_classes": 0})
    >>> net(torch.zeros(3, 5), torch.tensor([0, 1, 2])).shape
    torch.Size([3, 5])
"""

from __future__ import annotations

import torch
from torch import nn

from genlab.models.diffusion.embedding import StepContext, image_context
from genlab.nn.mlp import mlp


class MLPDenoiser(nn.Module):
    """``eps(x_t, t, c)`` for rows ``(B, d)``; config keys ``d``, ``hidden``, ``depth``,
    ``emb_dim``, ``n_classes``, ``image_condition``."""

    def __init__(self, config: dict) -> None:
        super().__init__()
        d, hidden = int(config["d"]), int(config["hidden"])
        self.context = StepContext(int(config["emb_dim"]), int(config["n_classes"]))
        self.image_condition = bool(config.get("image_condition"))
        extra = d + 1 if self.image_condition else 0  # an upsampled image and "present"
        self.body = mlp(d + extra + self.context.dim, hidden, int(config["depth"]))
        self.out = nn.Linear(hidden, d)

    def forward(
        self, x: torch.Tensor, t: torch.Tensor, codes: torch.Tensor | None = None
    ) -> torch.Tensor:
        if self.image_condition:
            x = torch.cat([x, image_context(codes, len(x), x.shape[1])], dim=1)  # (B, 2d + 1)
            codes = None
        h = torch.cat([x, self.context(t, codes)], dim=1)  # (B, d' + emb_dim)
        return self.out(self.body(h))
