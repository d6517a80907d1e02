"""Step hooks: what one optimisation step on one batch does.

The loop hands every training batch to a :class:`Step` and reads back the batch's loss as a
float; the step owns its optimizer(s). :class:`LossStep` (the default) minimises the
``loss_fn`` given to :func:`~genlab.train.fit_module` with AdamW. A family that needs more —
a GAN's discriminator and generator updates, each with its own optimizer — writes a
subclass: create the optimizers in :meth:`Step.setup`, list them in :meth:`Step.optimizers`
(checkpoints and ``resume=True`` then save and restore them), and do the updates in
``__call__``.

Example:
    A two-optimizer step (the shape of a GAN's: one update of ``d`` then one of ``g``):

    >>> import torch
    >>> class TwoSteps(Step):
    ...     def setup(self, context):
    ...         super().setup(context)
    ...         module, lr = context.module, context.config.lr
    ...         self.opt_d = torch.optim.SGD(module["d"].parameters(), lr=lr)
    ...         self.opt_g = torch.optim.SGD(module["g"].parameters(), lr=lr)
    ...     def optimizers(self):
    ...         return {"d": self.opt_d, "g": self.opt_g}
    ...     def __call__(self, batch):
    ...         module = self.context.module
    ...         loss_d = (module["d"](batch[0]) - 1).pow(2).mean()
    ...         check_finite(loss_d)
    ...         self.optimize(loss_d, self.opt_d, module["d"].parameters())
    ...         loss_g = (module["g"](batch[0]) + 1).pow(2).mean()
    ...         self.optimize(loss_g, self.opt_g, module["g"].parameters())
    ...         return loss_g.item()
    >>> pair = torch.nn.ModuleDict({"d": torch.nn.Linear(2, 1), "g": torch.nn.Linear(2, 1)})
    >>> from genlab.train import TrainConfig, fit_module
    >>> def val_loss(m, batch):  # validation reads the generator's loss
    ...     return (m["g"](batch[0]) + 1).pow(2).mean()
    >>> config = TrainConfig(max_epochs=3, lr=0.05, progress=False)
    >>> result = fit_module(pair, val_loss, [torch.randn(64, 2)], config, step=TwoSteps())
    >>> result.epochs
    3
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import nn

from genlab.train.config import LossFn, TrainConfig
from genlab.train.ema import Ema


class NonFiniteLoss(FloatingPointError):
    """A step's loss is NaN or infinite; the loop re-raises it as a ``FloatingPointError``
    that says where in the epoch it happened."""

    def __init__(self, value: float) -> None:
        super().__init__(f"training loss became {value}")
        self.value = value


def check_finite(loss: torch.Tensor) -> None:
    """Raise :class:`NonFiniteLoss` if ``loss`` is NaN or infinite (call it before
    ``backward`` so that a bad batch leaves the weights untouched)."""
    if not torch.isfinite(loss):
        raise NonFiniteLoss(loss.item())


@dataclass
class StepContext:
    """What a step works with, given to :meth:`Step.setup` once before training.

    Attributes:
        module: the module being trained (its parameters, gradients and weights).
        wrapped: what to call for a forward pass: ``module`` itself, or its
            ``DistributedDataParallel`` wrapper under torchrun, which synchronizes gradients
            only for calls to its ``forward``.
        loss_fn: the ``loss_fn`` given to :func:`~genlab.train.fit_module`.
        config: the run's settings (``lr``, ``weight_decay``, ``grad_clip``, ...).
        ema: the moving average of the weights; a step calls ``ema.update(module)`` after
            each update of the weights (a no-op without ``ema_decay``).
    """

    module: nn.Module
    wrapped: nn.Module
    loss_fn: LossFn
    config: TrainConfig
    ema: Ema


class Step:
    """One optimisation step on one batch; subclasses implement ``__call__``.

    ``__call__(batch) -> float`` updates the weights from ``batch`` (a list of aligned
    tensors on the training device) and returns the batch's loss (the loop averages it over
    the epoch, weighted by the batch's rows, as the epoch's ``train_loss``).

    Set ``find_unused_parameters = True`` on a step whose updates leave some parameters
    without gradients (a GAN's alternating updates) so that DDP accepts them.
    """

    find_unused_parameters: ClassVar[bool] = False

    def setup(self, context: StepContext) -> None:
        """Called once before training: keep ``context`` and create the optimizer(s)."""
        self.context = context

    def __call__(self, batch: list[torch.Tensor]) -> float:
        raise NotImplementedError

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """The step's optimizers by name, saved in checkpoints and restored on resume."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        """The step's state for a checkpoint (tensors and plain containers only)."""
        return {name: opt.state_dict() for name, opt in self.optimizers().items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        for name, opt in self.optimizers().items():
            opt.load_state_dict(state[name])

    def optimize(
        self,
        loss: torch.Tensor,
        optimizer: torch.optim.Optimizer,
        parameters: Iterable[nn.Parameter],
    ) -> None:
        """zero_grad, backward, clip ``parameters``' gradient norm to ``grad_clip`` (if
        set), optimizer step."""
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.context.config.grad_clip is not None:
            nn.utils.clip_grad_norm_(parameters, self.context.config.grad_clip)
        optimizer.step()


class LossStep(Step):
    """The default step: AdamW(``lr``, ``weight_decay``) on ``loss_fn(wrapped, batch)``,
    gradient clipping, then the EMA update."""

    def setup(self, context: StepContext) -> None:
        super().setup(context)
        config = context.config
        self.optimizer = torch.optim.AdamW(
            context.module.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"optimizer": self.optimizer}

    def __call__(self, batch: list[torch.Tensor]) -> float:
        context = self.context
        loss = context.loss_fn(context.wrapped, batch)
        check_finite(loss)
        self.optimize(loss, self.optimizer, context.module.parameters())
        context.ema.update(context.module)
        return loss.item()
