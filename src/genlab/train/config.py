"""The trainer's settings (:class:`TrainConfig`), what a run returns (:class:`TrainResult`) and
the checks that turn bad settings into clear :class:`~genlab.core.errors.InputError`\\ s."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

import torch
from torch import nn

from genlab.core.errors import InputError

#: ``loss_fn(module, batch) -> scalar tensor``: the mean loss per example of one batch (a list of
#: tensors whose rows are aligned).
LossFn = Callable[[nn.Module, list[torch.Tensor]], torch.Tensor]


@dataclass
class TrainConfig:
    """Settings of :func:`~genlab.train.fit_module`; neural families expose these as
    hyperparameters.

    ``batch_size`` and ``val_fraction`` apply to in-memory tensors only (a batch source
    chooses its own batches). ``checkpoint_dir`` adds a :class:`~genlab.train.Checkpoint`
    callback writing every ``checkpoint_every`` epochs; ``progress`` adds a
    :class:`~genlab.train.ProgressBar`.
    """

    max_epochs: int = 100
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    val_fraction: float = 0.1
    patience: int = 10
    max_time: float | None = None  # seconds of training, checked after every epoch
    steps_per_epoch: int | None = None  # batches per epoch (None: one pass over the rows)
    grad_clip: float | None = 5.0
    ema_decay: float | None = None
    seed: int = 0
    device: str = "cpu"
    checkpoint_dir: str | None = None
    checkpoint_every: int = 1
    resume: bool = False
    progress: bool = True
    description: str = "training"

    @classmethod
    def from_model(cls, model: Any, **overrides: Any) -> TrainConfig:
        """Build a config from a family's hyperparameters of the same names."""
        values = {f.name: getattr(model, f.name) for f in fields(cls) if hasattr(model, f.name)}
        if getattr(model, "random_state", None) is not None:
            values["seed"] = int(model.random_state)
        return cls(**{**values, **overrides})


@dataclass
class TrainResult:
    """What happened: best validation loss (nats per example), when, and why training stopped.

    ``stopped_by`` is ``"early_stopping"``, ``"max_epochs"``, ``"max_time"`` or the reason a
    callback gave to :meth:`~genlab.train.Run.stop`. ``history`` holds one record per epoch:
    ``{"epoch", "train_loss", "val_loss"}``. ``seconds`` is the wall time of the epochs (across
    resumes), what ``max_time`` is checked against.
    """

    best_val_loss: float
    best_epoch: int
    epochs: int
    stopped_by: str
    history: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def check_tensors(tensors: Any) -> None:
    """Raise :class:`InputError` unless ``tensors`` are at least 2 aligned rows."""
    if isinstance(tensors, torch.Tensor):
        raise InputError("pass the training tensors as a list, e.g. [x], not a bare tensor")
    if not tensors or len(tensors[0]) < 2:
        raise InputError("training needs at least 2 rows")
    if any(len(t) != len(tensors[0]) for t in tensors):
        raise InputError("training tensors must have the same number of rows")


def check_config(config: TrainConfig) -> None:
    """Raise :class:`InputError` for settings the loop cannot run with."""
    if not 0 < config.val_fraction < 1:
        raise InputError(f"val_fraction must be in (0, 1), got {config.val_fraction}")
    if config.batch_size < 1 or config.max_epochs < 0 or config.lr <= 0:
        raise InputError("batch_size and lr must be positive and max_epochs non-negative")
    if config.checkpoint_every < 1:
        raise InputError(f"checkpoint_every must be at least 1, got {config.checkpoint_every}")
    steps = config.steps_per_epoch
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise InputError(f"steps_per_epoch must be a positive integer or None, got {steps!r}")
