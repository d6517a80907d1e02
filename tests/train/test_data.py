"""Batch sources: in-memory tensors (split, shuffling, DDP shares) and streamed batches."""

from __future__ import annotations

import pytest
import torch

import genlab
from genlab.train import BatchSource, StreamSource, TensorSource, TrainConfig, fit_module

MU = torch.tensor([2.0, -1.0])


class Mean(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.mu = torch.nn.Parameter(torch.zeros(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * (x - self.mu).pow(2).sum(1)


def _nll(m, batch):
    return m(batch[0]).mean()


def _stream(calls: list[int]) -> StreamSource:
    def train(epoch):  # a generator function: 4 fresh batches every epoch
        calls.append(epoch)
        g = torch.Generator().manual_seed(epoch)
        for _ in range(4):
            yield torch.randn(32, 2, generator=g) + MU

    val = [[torch.randn(64, 2, generator=torch.Generator().manual_seed(99)) + MU]]
    return StreamSource(train, val)


def _config(**kw) -> TrainConfig:
    return TrainConfig(**{"lr": 0.1, "patience": 100, "progress": False, **kw})


def test_a_streamed_source_learns_a_mean_and_respects_max_epochs():
    calls: list[int] = []
    model = Mean()
    result = fit_module(model, _nll, _stream(calls), _config(max_epochs=15))
    assert calls == list(range(15)) and result.epochs == 15 and len(result.history) == 15
    assert torch.allclose(model.mu.detach(), MU, atol=0.3)
    assert isinstance(_stream([]), BatchSource)


def test_a_streamed_run_resumes_exactly(tmp_path):
    full = Mean()
    a = fit_module(full, _nll, _stream([]), _config(max_epochs=6, ema_decay=0.8))
    ckpt = str(tmp_path / "ckpt")
    fit_module(Mean(), _nll, _stream([]), _config(max_epochs=3, ema_decay=0.8, checkpoint_dir=ckpt))
    calls: list[int] = []
    resumed = Mean()
    config = _config(max_epochs=6, ema_decay=0.8, checkpoint_dir=ckpt, resume=True)
    b = fit_module(resumed, _nll, _stream(calls), config)
    assert calls == [3, 4, 5]
    assert a.history == b.history and torch.equal(full.mu, resumed.mu)


def test_a_one_shot_iterator_is_refused_at_the_second_epoch():
    batches = (torch.randn(8, 2) for _ in range(3))
    source = StreamSource(batches, [torch.randn(8, 2)])
    with pytest.raises(genlab.InputError, match="no training batches in epoch 2"):
        fit_module(Mean(), _nll, source, _config(max_epochs=3))
    with pytest.raises(genlab.InputError, match="no validation batches"):
        fit_module(Mean(), _nll, StreamSource([torch.randn(8, 2)], []), _config(max_epochs=1))


def test_tensor_source_splits_by_seed_and_shuffles_by_epoch():
    x = torch.arange(100.0)
    a = TensorSource([x], batch_size=30, val_fraction=0.1, seed=5)
    b = TensorSource([x], batch_size=30, val_fraction=0.1, seed=5)
    assert torch.equal(a.val_idx, b.val_idx) and len(a.val_idx) == 10
    assert torch.equal(a.epoch_rows(3), b.epoch_rows(3))
    assert not torch.equal(a.epoch_rows(3), a.epoch_rows(4))
    rows = torch.cat([batch[0] for batch in a.train_batches(0)])
    assert sorted(rows.tolist()) == sorted(x[a.train_idx].tolist())
    assert set(torch.cat([b[0] for b in a.val_batches()]).tolist()).isdisjoint(rows.tolist())


def test_tensor_source_gives_every_rank_an_equal_share_covering_all_rows():
    x = torch.arange(11.0)
    shares = [
        TensorSource([x], 4, 0.1, seed=0, rank=r, world_size=3).epoch_rows(0) for r in range(3)
    ]
    assert [len(s) for s in shares] == [4, 4, 4]  # 10 training rows padded to 12
    train = TensorSource([x], 4, 0.1, seed=0).train_idx
    assert set(torch.cat(shares).tolist()) == set(train.tolist())
