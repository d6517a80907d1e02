"""Context embeddings: a :class:`~genlab.Condition`, encoded by the model, becomes a context
vector ``(B, dim)`` that a network concatenates to its input (or adds to its features).

Every conditional family takes its condition through one of these modules, the same way, so a
new kind of condition (text, image) is a new module here, not a change in each family:

* :class:`ClassContext` — class codes as one-hot vectors (no weights: the network's first
  layer learns the embedding);
* :class:`ClassEmbedding` — class codes through a learned table (``nn.Embedding``), with an
  optional "no condition" row for classifier-free guidance.

Example:
    >>> import torch
    >>> ClassContext(3)(torch.tensor([2, 0])).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    >>> ClassEmbedding(10, dim=4, null=True)(torch.tensor([3, -1])).shape
    torch.Size([2, 4])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ClassContext(nn.Module):
    """Class codes ``(B,)`` -> one-hot context ``(B, n_classes)`` (float32)."""

    def __init__(self, n_classes: int) -> None:
        super().__init__()
        self.n_classes = n_classes
        self.dim = n_classes

    def forward(self, codes: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return F.one_hot(codes.long(), self.n_classes).to(dtype)


class ClassEmbedding(nn.Module):
    """Class codes ``(B,)`` -> learned vectors ``(B, dim)``.

    With ``null``, code ``-1`` means "no condition" and gets its own learned row: a model
    trained with some codes dropped to ``-1`` can then be sampled with and without its
    condition (classifier-free guidance).
    """

    def __init__(self, n_classes: int, dim: int, *, null: bool = False) -> None:
        super().__init__()
        self.n_classes, self.dim, self.null = n_classes, dim, null
        self.table = nn.Embedding(n_classes + int(null), dim)

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        codes = codes.long()
        if self.null:
            codes = torch.where(codes < 0, self.n_classes, codes)
        return self.table(codes)
