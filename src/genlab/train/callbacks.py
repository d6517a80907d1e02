"""Callbacks: code run at the start, after every epoch and at the end of training.

:func:`~genlab.train.fit_module` adds a :class:`Checkpoint` (``checkpoint_dir``) and a
:class:`ProgressBar` (``progress``, rank 0 only) to the ``callbacks`` it is given, in that
order and before them. A callback stops training by calling ``run.stop(reason)`` in
:meth:`Callback.on_epoch_end`; the loop ends after that epoch with ``stopped_by=reason``.

Example:
    >>> import torch
    >>> from genlab.train import TrainConfig, fit_module
    >>> class StopAtTwo(Callback):
    ...     def on_epoch_end(self, run):
    ...         if run.epoch == 2:
    ...             run.stop("two is enough")
    >>> log = LossLog()
    >>> lin = torch.nn.Linear(1, 1)
    >>> result = fit_module(lin, lambda m, b: m(b[0]).pow(2).mean(), [torch.randn(32, 1)],
    ...                     TrainConfig(progress=False), callbacks=[log, StopAtTwo()])
    >>> result.stopped_by, [r["epoch"] for r in log.records]
    ('two is enough', [1, 2])
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import torch

from genlab.train.run import Run

CHECKPOINT_FILE = "checkpoint.pt"


class Callback:
    """Base class of callbacks; every hook does nothing unless overridden.

    ``on_train_end`` runs however training ends: also when it raises (then
    ``run.stopped_by`` is ``"error"``), so that a callback can release what it holds. On a
    normal end it runs after the best weights are back in the module.
    """

    def on_train_begin(self, run: Run) -> None:
        """Before the first epoch (after a resume has restored ``run``)."""

    def on_epoch_end(self, run: Run) -> None:
        """After every epoch, once ``run.history[-1]`` holds its losses."""

    def on_train_end(self, run: Run) -> None:
        """After the last epoch."""


class LossLog(Callback):
    """Keeps every epoch's record (``{"epoch", "train_loss", "val_loss"}``) in ``records``
    and passes it to ``on_record`` if given (e.g. to update a live loss plot)."""

    def __init__(self, on_record: Callable[[dict], None] | None = None) -> None:
        self.on_record = on_record
        self.records: list[dict] = []

    def on_epoch_end(self, run: Run) -> None:
        record = dict(run.history[-1])
        self.records.append(record)
        if self.on_record is not None:
            self.on_record(record)


class Checkpoint(Callback):
    """Writes ``directory/checkpoint.pt`` every ``every`` epochs (rank 0 only) and, with
    ``resume=True``, continues from it if it exists, so that the run ends exactly where an
    uninterrupted one with the same seed would: it holds the weights, the step's optimizers,
    the EMA, the best weights, the history and the torch RNG state.

    Writes are atomic (a kill mid-write leaves the previous checkpoint intact); reads use
    ``torch.load(weights_only=True)``: a checkpoint holds tensors and plain containers, never
    code.
    """

    def __init__(self, directory: str | Path, every: int = 1, resume: bool = False) -> None:
        self.path = Path(directory) / CHECKPOINT_FILE
        self.every, self.resume = every, resume

    def on_train_begin(self, run: Run) -> None:
        if self.resume and self.path.is_file():
            saved = torch.load(self.path, map_location=run.device, weights_only=True)
            run.load_checkpoint_state(saved)

    def on_epoch_end(self, run: Run) -> None:
        if run.rank == 0 and run.epoch % self.every == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            torch.save(run.checkpoint_state(), tmp)
            os.replace(tmp, self.path)


class ProgressBar(Callback):
    """A rich progress bar over the epochs with the last train and validation losses; it
    disappears when training ends."""

    def __init__(self, description: str = "training") -> None:
        self.description = description
        self.progress, self.task = None, None

    def on_train_begin(self, run: Run) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("epoch {task.completed}/{task.total}"),
            TextColumn("{task.fields[losses]}"),
            TimeElapsedColumn(),
            transient=True,
        )
        self.progress.start()
        self.task = self.progress.add_task(
            self.description, total=run.config.max_epochs, losses="", completed=run.epoch
        )

    def on_epoch_end(self, run: Run) -> None:
        if self.progress is not None:
            last = run.history[-1]
            losses = f"train {last['train_loss']:.4f}  val {last['val_loss']:.4f}"
            self.progress.update(self.task, completed=run.epoch, losses=losses)

    def on_train_end(self, run: Run) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
