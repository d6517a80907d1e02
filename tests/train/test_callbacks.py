"""Callbacks: per-epoch records, stop requests, the end hook, checkpoints, the progress bar."""

from __future__ import annotations

import pytest
import torch

from genlab.train import (
    CHECKPOINT_FILE,
    Callback,
    Checkpoint,
    LossLog,
    ProgressBar,
    TrainConfig,
    fit_module,
)


def _loss(m, batch):
    return (m(batch[0]) - 1).pow(2).mean()


def _fit(config: TrainConfig, callbacks=(), module=None):
    module = module if module is not None else torch.nn.Linear(2, 1)
    x = torch.randn(64, 2, generator=torch.Generator().manual_seed(0))
    return fit_module(module, _loss, [x], config, callbacks=callbacks)


class Recorder(Callback):
    def __init__(self, stop_at: int | None = None) -> None:
        self.events: list[tuple] = []
        self.stop_at = stop_at

    def on_train_begin(self, run):
        self.events.append(("begin", run.epoch))

    def on_epoch_end(self, run):
        self.events.append(("epoch", run.epoch, dict(run.history[-1])))
        if run.epoch == self.stop_at:
            run.stop("enough")

    def on_train_end(self, run):
        self.events.append(("end", run.stopped_by))


def test_a_callback_sees_one_record_per_epoch():
    rec, log, seen = Recorder(), LossLog(on_record=lambda r: seen.append(r["epoch"])), []
    result = _fit(TrainConfig(max_epochs=5, patience=100, progress=False), [rec, log])
    epochs = [e for e in rec.events if e[0] == "epoch"]
    assert [e[1] for e in epochs] == [1, 2, 3, 4, 5] and seen == [1, 2, 3, 4, 5]
    assert [e[2] for e in epochs] == result.history == log.records
    assert rec.events[0] == ("begin", 0) and rec.events[-1] == ("end", "max_epochs")


def test_a_callback_can_stop_training():
    rec = Recorder(stop_at=3)
    lin = torch.nn.Linear(2, 1)
    result = _fit(TrainConfig(max_epochs=50, patience=100, progress=False), [rec], lin)
    assert result.epochs == 3 and result.stopped_by == "enough"
    assert rec.events[-1] == ("end", "enough") and not lin.training


def test_the_end_hook_runs_when_training_fails():
    rec = Recorder()

    def bad(m, batch):
        return m(batch[0]).mean() / 0.0 * 0.0

    with pytest.raises(FloatingPointError):
        fit_module(
            torch.nn.Linear(2, 1),
            bad,
            [torch.randn(32, 2)],
            TrainConfig(progress=False),
            callbacks=[rec],
        )
    assert rec.events == [("begin", 0), ("end", "error")]


def test_checkpoint_every_k_epochs_is_loadable_without_code(tmp_path):
    config = TrainConfig(max_epochs=5, patience=100, progress=False)
    _fit(config, [Checkpoint(tmp_path, every=2)])
    saved = torch.load(tmp_path / CHECKPOINT_FILE, weights_only=True)
    assert saved["run"]["epoch"] == 4 and len(saved["run"]["history"]) == 4
    assert set(saved["step"]) == {"optimizer"}
    assert not list(tmp_path.glob("*.tmp"))


def test_bad_checkpoint_every_is_refused(tmp_path):
    import genlab

    with pytest.raises(genlab.InputError, match="checkpoint_every"):
        _fit(TrainConfig(checkpoint_dir=str(tmp_path), checkpoint_every=0, progress=False))


def test_the_progress_bar_starts_and_stops():
    bar = ProgressBar("testing")
    _fit(TrainConfig(max_epochs=2, progress=False), [bar])
    assert bar.progress is None  # stopped and released
