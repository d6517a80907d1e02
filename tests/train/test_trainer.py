from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import genlab
from genlab.train import TrainConfig, fit_module
from tensors_on_disk import saved_tensors

SCRIPT = Path(__file__).with_name("_tiny_run.py")


def _run(*args: str, launcher: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [*(launcher or [sys.executable]), str(SCRIPT), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_early_stopping_restores_the_best_weights():
    x = torch.randn(200, 1)
    lin = torch.nn.Linear(1, 1)

    def loss(m, batch):  # |bias|: AdamW with a large lr overshoots 0, so the loss goes up again
        return m.bias.abs().sum() + 0 * m(batch[0]).sum()

    with torch.no_grad():
        lin.bias.fill_(1.0)
    result = fit_module(
        lin, loss, [x], TrainConfig(max_epochs=30, lr=0.1, patience=3, progress=False)
    )
    assert result.stopped_by in ("early_stopping", "max_epochs")
    assert result.best_val_loss == pytest.approx(min(h["val_loss"] for h in result.history))
    assert result.best_val_loss == pytest.approx(abs(lin.bias.item()), abs=1e-6)


def test_ema_warms_up_instead_of_keeping_the_initial_weights():
    # 5 steps of a slow EMA: without warm-up the average would still be ~99.5% the initial
    # weights (bias 5); with it the EMA follows the trained weights towards the optimum 0
    x = torch.randn(100, 1)
    lin = torch.nn.Linear(1, 1)
    with torch.no_grad():
        lin.bias.fill_(5.0)

    def loss(m, batch):
        return m.bias.pow(2).sum() + 0 * m(batch[0]).sum()

    config = TrainConfig(
        max_epochs=1, batch_size=18, lr=0.5, ema_decay=0.999, patience=5, progress=False
    )
    fit_module(lin, loss, [x], config)
    assert abs(lin.bias.item()) < 4.0


def test_max_time_and_bad_settings():
    x = torch.randn(64, 1)
    lin = torch.nn.Linear(1, 1)
    result = fit_module(
        lin,
        lambda m, b: m(b[0]).pow(2).mean(),
        [x],
        TrainConfig(max_epochs=10_000, max_time=0.2, progress=False),
    )
    assert result.stopped_by == "max_time" and result.epochs < 10_000
    with pytest.raises(genlab.InputError):
        fit_module(lin, lambda m, b: m(b[0]).mean(), [x], TrainConfig(val_fraction=1.5))
    with pytest.raises(genlab.InputError):
        fit_module(lin, lambda m, b: m(b[0]).mean(), [x[:1]], TrainConfig())


def test_resume_after_a_kill_matches_an_uninterrupted_run(tmp_path):
    full, killed = tmp_path / "full", tmp_path / "killed"
    full.mkdir(), killed.mkdir()
    assert _run(str(full), "--seed", "0").returncode == 0
    crashed = _run(str(killed), "--kill-at-epoch", "5", "--seed", "0")
    assert crashed.returncode != 0 and not (killed / "result.json").exists()
    assert (killed / "ckpt" / "checkpoint.pt").exists()
    # another seed: other initial weights and another RNG stream, so retraining from scratch
    # cannot reproduce the full run; only loading the checkpoint can
    resumed = _run(str(killed), "--resume", "--seed", "1")
    assert resumed.returncode == 0, resumed.stderr
    a = json.loads((full / "result.json").read_text())
    b = json.loads((killed / "result.json").read_text())
    assert a == b  # same epoch counter, same best loss, same checksum
    for name in ("weights.pt", "ckpt/checkpoint.pt"):  # weights; optimizer, EMA, RNG, history
        want, got = saved_tensors(full / name), saved_tensors(killed / name)
        assert want.keys() == got.keys() and len(want) > 0
        for key in want:
            assert torch.equal(want[key], got[key]), f"{name}{key} differs"


def test_a_fresh_run_with_another_seed_differs(tmp_path):
    # the premise of the resume test: seed 1 from scratch does not reproduce seed 0
    zero, one = tmp_path / "zero", tmp_path / "one"
    zero.mkdir(), one.mkdir()
    assert _run(str(zero), "--seed", "0").returncode == 0
    assert _run(str(one), "--seed", "1").returncode == 0
    a, b = saved_tensors(zero / "weights.pt"), saved_tensors(one / "weights.pt")
    assert any(not torch.equal(a[k], b[k]) for k in a)


@pytest.mark.skipif(
    shutil.which("torchrun") is None and not Path(sys.executable).with_name("torchrun").exists(),
    reason="torchrun not installed",
)
def test_two_process_ddp_on_cpu_matches_a_single_process(tmp_path):
    single, ddp = tmp_path / "single", tmp_path / "ddp"
    single.mkdir(), ddp.mkdir()
    assert _run(str(single)).returncode == 0
    torchrun = str(Path(sys.executable).with_name("torchrun"))
    port = str(_free_port())  # a fixed port can be taken by another run on the machine
    done = _run(str(ddp), launcher=[torchrun, "--nproc-per-node", "2", "--master-port", port])
    assert done.returncode == 0, done.stderr[-6000:]
    a = json.loads((single / "result.json").read_text())
    b = json.loads((ddp / "result.json").read_text())
    assert b["epochs"] == a["epochs"]
    assert b["best_val_loss"] == pytest.approx(a["best_val_loss"], abs=0.05)
