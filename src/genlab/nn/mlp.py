"""Plain multilayer perceptrons: the hidden stacks that neural families build their networks on.

:func:`mlp` is ``depth`` blocks of ``Linear`` then ``SiLU``, with no output layer, so a family
adds the output it needs (parameters of a distribution, a latent's mean and scale, ...).
Its modules are numbered as ``nn.Sequential`` numbers them, so the names of the weights in a
saved state dict are those of a hand-written stack.

Example:
    >>> import torch
    >>> net = mlp(3, hidden=8, depth=2)
    >>> net(torch.zeros(5, 3)).shape, [type(m).__name__ for m in net]
    (torch.Size([5, 8]), ['Linear', 'SiLU', 'Linear', 'SiLU'])
"""

from __future__ import annotations

from torch import nn


def mlp(d_in: int, hidden: int, depth: int) -> nn.Sequential:
    """``depth`` hidden layers ``Linear -> SiLU`` of width ``hidden`` on ``d_in`` inputs."""
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(d_in if i == 0 else hidden, hidden), nn.SiLU()]
    return nn.Sequential(*layers)
