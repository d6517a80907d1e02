"""The one training loop every neural family uses.

Model-agnostic in the manner of minGPT's trainer: a family hands over a plain ``nn.Module``, a
loss function ``loss_fn(module, batch) -> mean NLL per example`` and its training tensors; the
loop does the rest. ``loss_fn`` must run the module through ``module(...)`` (its ``forward``),
because under DDP it receives the ``DistributedDataParallel`` wrapper, which synchronizes
gradients only for calls to ``forward``.

* AdamW, a validation split held out of the training rows (seeded), early stopping on the
  validation loss with the best weights restored, an optional ``max_time`` budget, gradient
  clipping, an optional exponential moving average (EMA) of the weights, seeds;
* checkpoints every ``checkpoint_every`` epochs into ``checkpoint_dir`` (model, optimizer, EMA,
  best weights, RNG states, history), and ``resume=True`` continues a killed run so that it ends
  exactly where an uninterrupted run with the same seed would (the shuffling of each epoch is
  derived from ``seed + epoch``, and the torch RNG state travels in the checkpoint);
* PyTorch DDP when launched by ``torchrun`` (``WORLD_SIZE > 1``): gloo on CPU, nccl on GPU, a
  ``DistributedSampler``-style split of every epoch's shuffled rows, losses averaged across
  ranks; only rank 0 writes checkpoints;
* a progress bar with the train and validation loss (rich), silent with ``progress=False``.

Example:
    >>> import torch
    >>> x = torch.randn(256, 2) * 3 + 1
    >>> mean = torch.nn.Linear(1, 2)  # learns a Gaussian's mean from a constant input
    >>> def nll(m, batch):
    ...     return 0.5 * ((batch[0] - m(torch.ones(len(batch[0]), 1))) ** 2).sum(1).mean()
    >>> result = fit_module(mean, nll, [x], TrainConfig(max_epochs=50, lr=0.1, progress=False))
    >>> bool(result.best_val_loss < 10), result.stopped_by in ("early_stopping", "max_epochs")
    (True, True)
"""

from __future__ import annotations

import copy
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import torch
from torch import nn

from genlab.core.errors import InputError

LossFn = Callable[[nn.Module, list[torch.Tensor]], torch.Tensor]
CHECKPOINT_FILE = "checkpoint.pt"


@dataclass
class TrainConfig:
    """Settings of :func:`fit_module`; neural families expose these as hyperparameters."""

    max_epochs: int = 100
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    val_fraction: float = 0.1
    patience: int = 10
    max_time: float | None = None  # seconds of training, checked after every epoch
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
    """What happened: best validation loss (nats per example), when, and why training stopped."""

    best_val_loss: float
    best_epoch: int
    epochs: int
    stopped_by: str  # "early_stopping", "max_epochs" or "max_time"
    history: list[dict] = field(default_factory=list)


def fit_module(
    module: nn.Module, loss_fn: LossFn, tensors: Sequence[torch.Tensor], config: TrainConfig
) -> TrainResult:
    """Train ``module`` to minimise ``loss_fn`` on ``tensors`` (rows aligned across tensors).

    On return ``module`` holds the weights with the best validation loss (the EMA weights when
    ``ema_decay`` is set) and is in eval mode.
    """
    _check(config, tensors)
    dist = _Distributed.from_env(config.device)
    device = dist.device
    torch.manual_seed(config.seed)
    module.to(device)
    train_idx, val_idx = _split(len(tensors[0]), config.val_fraction, config.seed)
    data = [t.to(device) for t in tensors]
    wrapped = dist.wrap(module)
    optimizer = torch.optim.AdamW(
        module.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    ema = _Ema(module, config.ema_decay)
    run = _RunState(best_state=copy.deepcopy(module.state_dict()))
    ckpt = Path(config.checkpoint_dir) / CHECKPOINT_FILE if config.checkpoint_dir else None
    if config.resume and ckpt is not None and ckpt.is_file():
        run.load(ckpt, module, optimizer, ema, device)
    with _ProgressBar(config, enabled=config.progress and dist.rank == 0) as bar:
        while run.epoch < config.max_epochs:
            started = time.perf_counter()
            rows = _epoch_rows(train_idx, config.seed, run.epoch, dist)
            train_loss = _train_epoch(wrapped, module, loss_fn, data, rows, optimizer, ema, config)
            with ema.applied(module):
                val_loss = dist.mean(_evaluate(module, loss_fn, data, val_idx, config.batch_size))
            run.record(train_loss, val_loss, time.perf_counter() - started, module, ema)
            bar.update(run)
            if ckpt is not None and dist.rank == 0 and run.epoch % config.checkpoint_every == 0:
                run.save(ckpt, module, optimizer, ema)
            if run.epoch - run.best_epoch >= config.patience:
                run.stopped_by = "early_stopping"
                break
            if config.max_time is not None and run.elapsed >= config.max_time:
                run.stopped_by = "max_time"
                break
    module.load_state_dict(run.best_state)
    module.eval()
    return TrainResult(run.best_val, run.best_epoch, run.epoch, run.stopped_by, run.history)


# ====================================================================== the epoch
def _train_epoch(
    wrapped: nn.Module,
    module: nn.Module,
    loss_fn: LossFn,
    data: list[torch.Tensor],
    rows: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    ema: _Ema,
    config: TrainConfig,
) -> float:
    module.train()
    total, count = 0.0, 0
    for start in range(0, len(rows), config.batch_size):
        batch_rows = rows[start : start + config.batch_size]
        loss = loss_fn(wrapped, [t[batch_rows] for t in data])
        if not torch.isfinite(loss):
            raise FloatingPointError(
                f"training loss became {loss.item()} at row block {start}; lower lr or check data"
            )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if config.grad_clip is not None:
            nn.utils.clip_grad_norm_(module.parameters(), config.grad_clip)
        optimizer.step()
        ema.update(module)
        total += loss.item() * len(batch_rows)
        count += len(batch_rows)
    return total / max(count, 1)


@torch.no_grad()
def _evaluate(
    module: nn.Module, loss_fn: LossFn, data: list[torch.Tensor], rows: torch.Tensor, batch: int
) -> float:
    module.eval()
    total = 0.0
    for start in range(0, len(rows), batch):
        batch_rows = rows[start : start + batch]
        total += loss_fn(module, [t[batch_rows] for t in data]).item() * len(batch_rows)
    return total / max(len(rows), 1)


def _split(n: int, val_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded train/validation row split; at least one validation row."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = max(1, round(n * val_fraction))
    return perm[n_val:], perm[:n_val]


def _epoch_rows(train_idx: torch.Tensor, seed: int, epoch: int, dist: _Distributed) -> torch.Tensor:
    """This epoch's shuffled training rows (this rank's share under DDP), from seed + epoch."""
    g = torch.Generator().manual_seed(seed * 100_003 + epoch)
    rows = train_idx[torch.randperm(len(train_idx), generator=g)]
    if dist.world_size > 1:  # DistributedSampler's rule: pad to a multiple, take every k-th
        per_rank = math.ceil(len(rows) / dist.world_size)
        rows = torch.cat([rows, rows[: per_rank * dist.world_size - len(rows)]])
        rows = rows[dist.rank :: dist.world_size]
    return rows


def _check(config: TrainConfig, tensors: Sequence[torch.Tensor]) -> None:
    if not tensors or len(tensors[0]) < 2:
        raise InputError("training needs at least 2 rows")
    if any(len(t) != len(tensors[0]) for t in tensors):
        raise InputError("training tensors must have the same number of rows")
    if not 0 < config.val_fraction < 1:
        raise InputError(f"val_fraction must be in (0, 1), got {config.val_fraction}")
    if config.batch_size < 1 or config.max_epochs < 0 or config.lr <= 0:
        raise InputError("batch_size and lr must be positive and max_epochs non-negative")


# ================================================================ state of a run
@dataclass
class _RunState:
    best_state: dict
    epoch: int = 0
    best_epoch: int = 0
    best_val: float = math.inf
    elapsed: float = 0.0
    stopped_by: str = "max_epochs"
    history: list[dict] = field(default_factory=list)

    def record(
        self, train: float, val: float, seconds: float, module: nn.Module, ema: _Ema
    ) -> None:
        self.epoch += 1
        self.elapsed += seconds
        self.history.append({"epoch": self.epoch, "train_loss": train, "val_loss": val})
        if val < self.best_val:
            self.best_val, self.best_epoch = val, self.epoch
            with ema.applied(module):
                self.best_state = copy.deepcopy(module.state_dict())

    def save(self, path: Path, module: nn.Module, optimizer: Any, ema: _Ema) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        state = {k: v for k, v in asdict(self).items() if k != "best_state"}
        torch.save(
            {
                "run": state,
                "best_state": self.best_state,
                "model": module.state_dict(),
                "optimizer": optimizer.state_dict(),
                "ema": ema.shadow,
                "ema_updates": ema.updates,
                "torch_rng": torch.get_rng_state(),
            },
            tmp,
        )
        os.replace(tmp, path)  # atomic: a kill mid-write leaves the previous checkpoint intact

    def load(
        self, path: Path, module: nn.Module, optimizer: Any, ema: _Ema, device: torch.device
    ) -> None:
        # weights_only=True: a checkpoint holds tensors and plain containers, never code.
        saved = torch.load(path, map_location=device, weights_only=True)
        for key, value in saved["run"].items():
            setattr(self, key, value)
        self.best_state = saved["best_state"]
        module.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        ema.shadow = saved["ema"]
        ema.updates = int(saved.get("ema_updates", 0))
        torch.set_rng_state(saved["torch_rng"].cpu())


class _Ema:
    """Exponential moving average of the weights; ``applied`` swaps them in temporarily.

    The decay warms up as ``min(decay, (1 + n) / (10 + n))`` after ``n`` updates (as
    TensorFlow's ``ExponentialMovingAverage(num_updates=...)``): without it the average keeps
    the random initial weights for ~1 / (1 - decay) steps, which hurt short runs and the
    validation losses that early stopping reads in the first epochs.
    """

    def __init__(self, module: nn.Module, decay: float | None) -> None:
        self.decay = decay
        self.updates = 0
        self.shadow = (
            {k: v.detach().clone() for k, v in module.state_dict().items()} if decay else None
        )

    @torch.no_grad()
    def update(self, module: nn.Module) -> None:
        if self.shadow is None:
            return
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for k, v in module.state_dict().items():
            if v.dtype.is_floating_point:
                self.shadow[k].lerp_(v, 1 - decay)
            else:
                self.shadow[k].copy_(v)

    class _Swap:
        def __init__(self, ema: _Ema, module: nn.Module) -> None:
            self.ema, self.module, self.saved = ema, module, None

        def __enter__(self) -> None:
            if self.ema.shadow is not None:
                self.saved = copy.deepcopy(self.module.state_dict())
                self.module.load_state_dict(self.ema.shadow)

        def __exit__(self, *exc: object) -> None:
            if self.saved is not None:
                self.module.load_state_dict(self.saved)

    def applied(self, module: nn.Module) -> _Ema._Swap:
        return _Ema._Swap(self, module)


# ======================================================================= DDP
@dataclass
class _Distributed:
    """Rank, world size and device; a no-op for a single process."""

    rank: int
    world_size: int
    device: torch.device

    @classmethod
    def from_env(cls, device: str) -> _Distributed:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise InputError("device='cuda' was asked for but no CUDA GPU is available")
        if world <= 1:
            return cls(0, 1, torch.device(device))
        import torch.distributed as td

        local = int(os.environ.get("LOCAL_RANK", "0"))
        if device.startswith("cuda"):
            torch.cuda.set_device(local)
            device = f"cuda:{local}"
        if not td.is_initialized():
            td.init_process_group("nccl" if device.startswith("cuda") else "gloo")
        return cls(td.get_rank(), td.get_world_size(), torch.device(device))

    def wrap(self, module: nn.Module) -> nn.Module:
        if self.world_size == 1:
            return module
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids)

    def mean(self, value: float) -> float:
        if self.world_size == 1:
            return value
        import torch.distributed as td

        t = torch.tensor([value], dtype=torch.float64, device=self.device)
        td.all_reduce(t)
        return float(t.item() / self.world_size)


def is_main_process() -> bool:
    """True on rank 0 of a torchrun launch, and always for a single process (who may write)."""
    return int(os.environ.get("RANK", "0")) == 0


# ================================================================== progress bar
class _ProgressBar:
    def __init__(self, config: TrainConfig, enabled: bool) -> None:
        self.config, self.enabled, self.progress, self.task = config, enabled, None, None

    def __enter__(self) -> _ProgressBar:
        if self.enabled:
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
                self.config.description, total=self.config.max_epochs, losses=""
            )
        return self

    def update(self, run: _RunState) -> None:
        if self.progress is not None:
            last = run.history[-1]
            losses = f"train {last['train_loss']:.4f}  val {last['val_loss']:.4f}"
            self.progress.update(self.task, completed=run.epoch, losses=losses)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()
