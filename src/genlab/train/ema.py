"""An exponential moving average (EMA) of a module's weights, with warm-up."""

from __future__ import annotations

import copy

import torch
from torch import nn


class Ema:
    """Exponential moving average of the weights; ``applied`` swaps them in temporarily.

    The decay warms up as ``min(decay, (1 + n) / (10 + n))`` after ``n`` updates (as
    TensorFlow's ``ExponentialMovingAverage(num_updates=...)``): without it the average keeps
    the random initial weights for ~1 / (1 - decay) steps, which hurt short runs and the
    validation losses that early stopping reads in the first epochs. With ``decay=None`` it
    does nothing (``shadow`` is None).

    Example:
        >>> lin = torch.nn.Linear(1, 1)
        >>> ema = Ema(lin, 0.9)
        >>> with torch.no_grad():
        ...     _ = lin.bias.fill_(1.0)
        >>> ema.update(lin)  # first update: decay min(0.9, 2 / 11)
        >>> with ema.applied(lin):
        ...     inside = lin.bias.item()
        >>> inside < 1.0, lin.bias.item()
        (True, 1.0)
    """

    def __init__(self, module: nn.Module, decay: float | None) -> None:
        self.decay = decay
        self.updates = 0
        self.shadow = (
            {k: v.detach().clone() for k, v in module.state_dict().items()} if decay else None
        )

    @torch.no_grad()
    def update(self, module: nn.Module) -> None:
        """Move the average towards ``module``'s current weights (one optimisation step)."""
        if self.shadow is None:
            return
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for k, v in module.state_dict().items():
            if v.dtype.is_floating_point:
                self.shadow[k].lerp_(v, 1 - decay)
            else:
                self.shadow[k].copy_(v)

    def applied(self, module: nn.Module) -> _Swap:
        """A context in which ``module`` holds the averaged weights (a no-op without EMA)."""
        return _Swap(self, module)


class _Swap:
    def __init__(self, ema: Ema, module: nn.Module) -> None:
        self.ema, self.module, self.saved = ema, module, None

    def __enter__(self) -> None:
        if self.ema.shadow is not None:
            self.saved = copy.deepcopy(self.module.state_dict())
            self.module.load_state_dict(self.ema.shadow)

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None:
            self.module.load_state_dict(self.saved)
