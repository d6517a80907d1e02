"""`torchrun -m genlab fit ...`: DDP training through the command line (2 CPU processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TORCHRUN = Path(sys.executable).with_name("torchrun")
SETTINGS = ["--set", "hidden_sizes=[64]", "--set", "max_epochs=40", "--set", "patience=40", "-q"]


def _fit(out: Path, launcher: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [*launcher, "-m", "genlab", "fit", "autoregressive", "wine", "-o", str(out), *SETTINGS]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.slow
@pytest.mark.skipif(not TORCHRUN.exists(), reason="torchrun not installed")
def test_torchrun_fit_saves_once_and_matches_a_single_process(tmp_path):
    single = _fit(tmp_path / "single", [sys.executable])
    assert single.returncode == 0, single.stderr[-2000:]
    ddp = _fit(tmp_path / "ddp", [str(TORCHRUN), "--nproc-per-node", "2", "--master-port", "29531"])
    assert ddp.returncode == 0, ddp.stderr[-2000:]
    a = json.loads((tmp_path / "single" / "model.json").read_text())["state"]["best_val_loss"]
    b = json.loads((tmp_path / "ddp" / "model.json").read_text())["state"]["best_val_loss"]
    assert abs(a - b) < 0.1 * abs(a) + 0.5  # same data and seed; DDP doubles the batch
