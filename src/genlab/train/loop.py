"""The one training loop every neural family uses: :func:`fit_module`.

Model-agnostic in the manner of minGPT's trainer: a family hands over a plain ``nn.Module``, a
loss function ``loss_fn(module, batch) -> mean loss per example`` and its data; the loop does
the rest. ``loss_fn`` must run the module through ``module(...)`` (its ``forward``), because
under DDP it receives the ``DistributedDataParallel`` wrapper, which synchronizes gradients
only for calls to ``forward``.

* the data: a list of aligned in-memory tensors (a seeded validation split held out of the
  rows, shuffled every epoch from ``seed + epoch``) or a :class:`~genlab.train.BatchSource`
  streaming batches (:class:`~genlab.train.StreamSource` wraps two callables);
* one optimisation step per batch by a :class:`~genlab.train.Step`: by default
  :class:`~genlab.train.LossStep` (AdamW on ``loss_fn``, gradient clipping, the EMA update);
  a family with several optimizers (a GAN) passes its own ``step``;
* validation with ``loss_fn`` on the (EMA) weights after every epoch; early stopping on it
  with the best weights restored, an optional ``max_time`` budget, an optional exponential
  moving average (EMA) of the weights with warm-up, seeds. A family without a likelihood
  passes a ``loss_fn`` that scores held-out batches in its own terms (a GAN: the generator's
  loss against the current discriminator) and a ``patience`` to suit it;
* :class:`~genlab.train.Callback`\\ s after every epoch; checkpoints every
  ``checkpoint_every`` epochs into ``checkpoint_dir``, from which ``resume=True`` continues a
  killed run so that it ends exactly where an uninterrupted run with the same seed would;
* PyTorch DDP when launched by ``torchrun`` (``WORLD_SIZE > 1``): gloo on CPU, nccl on GPU, a
  ``DistributedSampler``-style split of every epoch's shuffled rows, losses averaged across
  ranks; only rank 0 writes checkpoints;
* a progress bar with the train and validation loss (rich), silent with ``progress=False``.

Example:
    >>> import torch
    >>> x = torch.randn(256, 2, generator=torch.Generator().manual_seed(0)) * 3 + 1
    >>> mean = torch.nn.Linear(1, 2)  # learns a Gaussian's mean from a constant input
    >>> def nll(m, batch):
    ...     return 0.5 * ((batch[0] - m(torch.ones(len(batch[0]), 1))) ** 2).sum(1).mean()
    >>> result = fit_module(mean, nll, [x], TrainConfig(max_epochs=50, lr=0.1, progress=False))
    >>> result.stopped_by in ("early_stopping", "max_epochs")
    True
    >>> (mean(torch.ones(1, 1)) - x.mean(0)).abs().max().item() < 0.5  # the sample mean
    True
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterable, Sequence

import torch
from torch import nn

from genlab.train.callbacks import Callback, Checkpoint, ProgressBar
from genlab.train.config import LossFn, TrainConfig, TrainResult, check_config, check_tensors
from genlab.train.data import Batch, BatchSource, TensorSource
from genlab.train.distributed import Distributed
from genlab.train.ema import Ema
from genlab.train.run import Run
from genlab.train.steps import LossStep, NonFiniteLoss, Step, StepContext


def fit_module(
    module: nn.Module,
    loss_fn: LossFn,
    data: Sequence[torch.Tensor] | BatchSource,
    config: TrainConfig,
    *,
    step: Step | None = None,
    callbacks: Sequence[Callback] = (),
) -> TrainResult:
    """Train ``module`` on ``data``; validate with ``loss_fn`` after every epoch.

    Args:
        module: the network; moved to ``config.device``.
        loss_fn: ``loss_fn(module, batch) -> scalar tensor``, the mean loss per example of a
            batch; the validation loss, and the training loss of the default step.
        data: aligned tensors (rows = examples) or a :class:`~genlab.train.BatchSource`.
        config: the run's settings.
        step: what one optimisation step does (default: :class:`~genlab.train.LossStep`).
        callbacks: run after the built-in checkpoint and progress-bar callbacks.

    Returns:
        What happened (best validation loss, epochs, why it stopped, the history). On return
        ``module`` holds the weights with the best validation loss (the EMA weights when
        ``ema_decay`` is set) and is in eval mode.

    Raises:
        InputError: bad settings or data.
        FloatingPointError: the training loss became NaN or infinite.
    """
    is_source = isinstance(data, BatchSource)
    if not is_source:
        check_tensors(data)
    check_config(config)
    dist = Distributed.from_env(config.device)
    torch.manual_seed(config.seed)
    module.to(dist.device)
    source = data if is_source else _tensor_source(data, config, dist)
    step = LossStep() if step is None else step
    wrapped = dist.wrap(module, step.find_unused_parameters)
    ema = Ema(module, config.ema_decay)
    step.setup(StepContext(module, wrapped, loss_fn, config, ema))
    best_state = copy.deepcopy(module.state_dict())
    run = Run(module, step, ema, config, best_state, rank=dist.rank, device=dist.device)
    _train(run, source, loss_fn, dist, [*_builtin_callbacks(config, dist.rank), *callbacks])
    return TrainResult(
        run.best_val, run.best_epoch, run.epoch, run.stopped_by, run.history, run.elapsed
    )


def _tensor_source(
    tensors: Sequence[torch.Tensor], config: TrainConfig, dist: Distributed
) -> TensorSource:
    return TensorSource(
        tensors,
        config.batch_size,
        config.val_fraction,
        config.seed,
        rank=dist.rank,
        world_size=dist.world_size,
        device=dist.device,
        steps_per_epoch=config.steps_per_epoch,
    )


def _builtin_callbacks(config: TrainConfig, rank: int) -> list[Callback]:
    hooks: list[Callback] = []
    if config.checkpoint_dir:
        hooks.append(Checkpoint(config.checkpoint_dir, config.checkpoint_every, config.resume))
    if config.progress and rank == 0:
        hooks.append(ProgressBar(config.description))
    return hooks


def _train(
    run: Run, source: BatchSource, loss_fn: LossFn, dist: Distributed, hooks: list[Callback]
) -> None:
    """The epochs between the callbacks' begin and end; the best weights restored."""
    try:
        for hook in hooks:
            hook.on_train_begin(run)
        _epochs(run, source, loss_fn, dist, hooks)
    except BaseException as error:
        run.stopped_by = "interrupted" if isinstance(error, KeyboardInterrupt) else "error"
        for hook in hooks:
            hook.on_train_end(run)
        raise
    run.module.load_state_dict(run.best_state)
    run.module.eval()
    for hook in hooks:
        hook.on_train_end(run)


def _epochs(
    run: Run, source: BatchSource, loss_fn: LossFn, dist: Distributed, hooks: list[Callback]
) -> None:
    module, device = run.module, run.device
    while run.epoch < run.config.max_epochs:
        started = time.perf_counter()
        train_loss = train_epoch(run.step, module, source.train_batches(run.epoch), device)
        with run.ema.applied(module):
            val_loss = dist.mean(evaluate(module, loss_fn, source.val_batches(), device))
        run.record(train_loss, val_loss, time.perf_counter() - started)
        for hook in hooks:
            hook.on_epoch_end(run)
        reason = _stop_reason(run, dist)
        if reason is not None:
            run.stopped_by = reason
            return


def _stop_reason(run: Run, dist: Distributed) -> str | None:
    """Why to stop after this epoch (a callback's request first), or None to go on."""
    if dist.any_rank(run.stop_reason is not None):
        return run.stop_reason or "callback"
    if run.epoch - run.best_epoch >= run.config.patience:
        return "early_stopping"
    max_time = run.config.max_time
    if max_time is not None and dist.any_rank(run.elapsed >= max_time):
        return "max_time"
    return None


def train_epoch(
    step: Step, module: nn.Module, batches: Iterable[Batch], device: torch.device
) -> float:
    """One pass of ``step`` over ``batches``; the mean training loss per row."""
    module.train()
    total, count = 0.0, 0
    for batch in batches:
        batch = [t.to(device) for t in batch]
        try:
            loss = float(step(batch))
        except NonFiniteLoss as error:
            raise FloatingPointError(_non_finite(error.value, count)) from None
        if not math.isfinite(loss):  # a custom step that did not check its loss
            raise FloatingPointError(_non_finite(loss, count))
        total += loss * len(batch[0])
        count += len(batch[0])
    return total / max(count, 1)


def _non_finite(value: float, start: int) -> str:
    return f"training loss became {value} at row block {start}; lower lr or check data"


@torch.no_grad()
def evaluate(
    module: nn.Module, loss_fn: LossFn, batches: Iterable[Batch], device: torch.device
) -> float:
    """The mean of ``loss_fn`` per row over ``batches``, in eval mode, without gradients."""
    module.eval()
    total, count = 0.0, 0
    for batch in batches:
        batch = [t.to(device) for t in batch]
        total += loss_fn(module, batch).item() * len(batch[0])
        count += len(batch[0])
    return total / max(count, 1)
