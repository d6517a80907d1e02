"""Where the batches come from: in-memory tensors (:class:`TensorSource`) or a stream
(:class:`StreamSource`), both behind the :class:`BatchSource` protocol.

A batch is a list of tensors whose rows are aligned (``batch[0]`` has the examples; more
tensors may hold labels, masks, ...). The loop moves each batch to the training device.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol, runtime_checkable

import torch

from genlab.core.errors import InputError

Batch = list[torch.Tensor]


@runtime_checkable
class BatchSource(Protocol):
    """Anything that gives the training batches of an epoch and the validation batches.

    ``train_batches(epoch)`` is called once per epoch with the 0-based epoch; a source whose
    batches depend only on ``epoch`` (and on the torch RNG, which checkpoints restore) resumes
    exactly from a checkpoint. Under DDP each rank trains on what its source yields, so a
    streamed source shards itself (e.g. on ``torch.distributed.get_rank()``); validation
    losses are averaged over the ranks.
    """

    def train_batches(self, epoch: int) -> Iterable[Batch]: ...

    def val_batches(self) -> Iterable[Batch]: ...


class TensorSource:
    """In-memory tensors: a seeded train/validation split of the rows, the training rows
    shuffled every epoch from ``seed + epoch`` and, under DDP, split across ranks as
    ``DistributedSampler`` does (padded to a multiple of the world size, every k-th row).

    With ``steps_per_epoch`` an epoch is that many batches instead of one pass: the epochs walk
    on through a stream of shuffled passes over the training rows (pass ``r`` shuffled from
    ``seed`` and ``r``), so every row comes once per pass whatever the epoch length. This is
    for data too large to go through between two validations (and two checks of ``max_time``).

    Example:
        >>> source = TensorSource([torch.arange(10.0)], batch_size=4, val_fraction=0.2)
        >>> [len(b[0]) for b in source.train_batches(0)], [len(b[0]) for b in source.val_batches()]
        ([4, 4], [2])
        >>> short = TensorSource([torch.arange(10.0)], 4, 0.2, steps_per_epoch=1)
        >>> len(torch.cat([short.epoch_rows(e) for e in range(2)]).unique())  # one pass of 8
        8
    """

    def __init__(
        self,
        tensors: Sequence[torch.Tensor],
        batch_size: int,
        val_fraction: float,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
        device: torch.device | str | None = None,
        steps_per_epoch: int | None = None,
    ) -> None:
        self.batch_size, self.seed, self.rank, self.world_size = batch_size, seed, rank, world_size
        self.steps_per_epoch = steps_per_epoch
        self.train_idx, self.val_idx = _split(len(tensors[0]), val_fraction, seed)
        self.data = [t.to(device) if device is not None else t for t in tensors]

    def epoch_rows(self, epoch: int) -> torch.Tensor:
        """This epoch's shuffled training rows (this rank's share under DDP)."""
        if self.steps_per_epoch is None:
            rows = self._shuffled(epoch)
        else:  # positions [e K, (e + 1) K) of the stream of passes, K rows for all ranks
            K = self.steps_per_epoch * self.batch_size * self.world_size
            first, last = (
                epoch * K // len(self.train_idx),
                ((epoch + 1) * K - 1) // len(self.train_idx),
            )
            stream = torch.cat([self._shuffled(r) for r in range(first, last + 1)])
            start = epoch * K - first * len(self.train_idx)
            rows = stream[start : start + K]
        if self.world_size > 1:  # DistributedSampler's rule: pad to a multiple, take every k-th
            per_rank = math.ceil(len(rows) / self.world_size)
            rows = torch.cat([rows, rows[: per_rank * self.world_size - len(rows)]])
            rows = rows[self.rank :: self.world_size]
        return rows

    def _shuffled(self, r: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(self.seed * 100_003 + r)
        return self.train_idx[torch.randperm(len(self.train_idx), generator=g)]

    def train_batches(self, epoch: int) -> Iterator[Batch]:
        return self._batches(self.epoch_rows(epoch))

    def val_batches(self) -> Iterator[Batch]:
        return self._batches(self.val_idx)

    def _batches(self, rows: torch.Tensor) -> Iterator[Batch]:
        for start in range(0, len(rows), self.batch_size):
            batch_rows = rows[start : start + self.batch_size]
            yield [t[batch_rows] for t in self.data]


def _split(n: int, val_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded train/validation row split; at least one validation row."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = max(1, round(n * val_fraction))
    return perm[n_val:], perm[:n_val]


class StreamSource:
    """Streamed batches from two callables or re-iterables (a list, a ``DataLoader``).

    ``train`` is ``train(epoch) -> iterable of batches`` or a re-iterable walked once per
    epoch; ``val`` is ``val() -> iterable of batches`` or a re-iterable. A batch may be a
    list/tuple of aligned tensors or one tensor. A one-shot iterator (a generator object) is
    refused at the second epoch: pass the generator *function* instead. The number of rows is
    never needed (the progress bar counts epochs).

    Example:
        >>> def chunks(epoch):  # 3 batches of 8 rows, different every epoch
        ...     g = torch.Generator().manual_seed(epoch)
        ...     return (torch.randn(8, 2, generator=g) for _ in range(3))
        >>> source = StreamSource(chunks, [torch.zeros(4, 2)])
        >>> [b[0].shape[0] for b in source.train_batches(0)]
        [8, 8, 8]
    """

    def __init__(
        self,
        train: Callable[[int], Iterable] | Iterable,
        val: Callable[[], Iterable] | Iterable,
    ) -> None:
        self.train, self.val = train, val

    def train_batches(self, epoch: int) -> Iterator[Batch]:
        batches = self.train(epoch) if callable(self.train) else self.train
        return _checked(batches, f"training batches in epoch {epoch + 1}")

    def val_batches(self) -> Iterator[Batch]:
        return _checked(self.val() if callable(self.val) else self.val, "validation batches")

    def __repr__(self) -> str:
        return f"StreamSource(train={self.train!r}, val={self.val!r})"


def _checked(batches: Iterable, what: str) -> Iterator[Batch]:
    """``batches`` as lists of tensors; an error if there are none."""
    count = 0
    for batch in batches:
        count += 1
        yield [batch] if isinstance(batch, torch.Tensor) else list(batch)
    if count == 0:
        raise InputError(
            f"the batch source gave no {what}; a generator object can be walked only once, "
            "so pass a function returning a fresh iterable instead"
        )
