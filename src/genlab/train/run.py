"""The state of a training run (:class:`Run`): what callbacks read, what checkpoints hold."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from genlab.train.config import TrainConfig
from genlab.train.ema import Ema
from genlab.train.steps import Step

#: The fields of a :class:`Run` that a checkpoint carries (besides weights, step, EMA, RNG).
SAVED_FIELDS = ("epoch", "best_epoch", "best_val", "elapsed", "stopped_by", "history")


@dataclass(eq=False)
class Run:
    """A training run as callbacks see it.

    Attributes:
        module, step, ema, config: what is trained, how, and with which settings.
        rank, device: this process's rank under torchrun (0 for a single process) and device.
        epoch: epochs done (the loop's next epoch is ``epoch``, 0-based).
        history: one record per epoch done: ``{"epoch", "train_loss", "val_loss"}``.
        best_val, best_epoch, best_state: the best validation loss so far, its epoch and
            the (EMA) weights it was reached with.
        elapsed: seconds of training so far (across resumes).
        stopped_by: why training ended, set when it does.
        stop_reason: the reason given to :meth:`stop` this epoch, if any.
    """

    module: nn.Module = field(repr=False)
    step: Step = field(repr=False)
    ema: Ema = field(repr=False)
    config: TrainConfig = field(repr=False)
    best_state: dict = field(repr=False)
    rank: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    epoch: int = 0
    best_epoch: int = 0
    best_val: float = math.inf
    elapsed: float = 0.0
    stopped_by: str = "max_epochs"
    history: list[dict] = field(default_factory=list)
    stop_reason: str | None = None

    def stop(self, reason: str = "callback") -> None:
        """Ask the loop to stop after this epoch; ``reason`` becomes ``stopped_by``.

        Call it from :meth:`~genlab.train.Callback.on_epoch_end`. Under torchrun a request
        made on any rank stops every rank.
        """
        self.stop_reason = reason

    def record(self, train: float, val: float, seconds: float) -> None:
        """One more epoch done: its losses and duration; keep the weights if the best."""
        self.epoch += 1
        self.elapsed += seconds
        self.history.append({"epoch": self.epoch, "train_loss": train, "val_loss": val})
        if val < self.best_val:
            self.best_val, self.best_epoch = val, self.epoch
            with self.ema.applied(self.module):
                self.best_state = copy.deepcopy(self.module.state_dict())

    def checkpoint_state(self) -> dict[str, Any]:
        """Everything needed to continue this run exactly (tensors and plain containers)."""
        return {
            "run": {name: getattr(self, name) for name in SAVED_FIELDS},
            "best_state": self.best_state,
            "model": self.module.state_dict(),
            "step": self.step.state_dict(),
            "ema": self.ema.shadow,
            "ema_updates": self.ema.updates,
            "torch_rng": torch.get_rng_state(),
        }

    def load_checkpoint_state(self, saved: dict[str, Any]) -> None:
        """Continue from what :meth:`checkpoint_state` returned."""
        for key, value in saved["run"].items():
            setattr(self, key, value)
        self.best_state = saved["best_state"]
        self.module.load_state_dict(saved["model"])
        # checkpoints written before steps existed hold the one AdamW as "optimizer"
        self.step.load_state_dict(saved.get("step", {"optimizer": saved.get("optimizer")}))
        self.ema.shadow = saved["ema"]
        self.ema.updates = int(saved.get("ema_updates", 0))
        torch.set_rng_state(saved["torch_rng"].cpu())
