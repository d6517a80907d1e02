"""``genlab fit --resume``: a run stopped after some epochs and resumed ends where an
uninterrupted one does, and it does so by reading the checkpoint (a perturbed checkpoint gives
another model, which retraining from scratch would not)."""

from __future__ import annotations

from pathlib import Path

import torch

from genlab.cli import run
from tensors_on_disk import saved_tensors

# a fixed ema_decay: "auto" depends on max_epochs, which the stopped run sets lower
SETTINGS = ["--set", "hidden_sizes=[16]", "--set", "patience=50", "--set", "ema_decay=0.9", "-q"]


def _fit(out: Path, ckpt: Path, epochs: int, *extra: str) -> None:
    args = ["fit", "autoregressive", "wine", "-o", out, "--checkpoint-dir", ckpt, *SETTINGS]
    assert run(*args, "--set", f"max_epochs={epochs}", *extra) == 0


def _perturb(path: Path) -> None:
    saved = torch.load(path, weights_only=True)
    with torch.no_grad():
        for state in (saved["model"], saved["best_state"] or {}):
            for tensor in state.values():
                if tensor.is_floating_point():
                    tensor.add_(0.5)
    torch.save(saved, path)


def test_fit_resume_continues_from_the_checkpoint(tmp_path):
    full, cut, bent = (tmp_path / name for name in ("full", "cut", "bent"))
    _fit(full / "m", full / "ckpt", 6)
    for folder in (cut, bent):  # "killed" after epoch 3: the checkpoint holds 3 epochs
        _fit(folder / "m3", folder / "ckpt", 3)
        assert saved_tensors(folder / "ckpt" / "checkpoint.pt")
    _perturb(bent / "ckpt" / "checkpoint.pt")
    for folder in (cut, bent):
        _fit(folder / "m", folder / "ckpt", 6, "--resume")
    want = saved_tensors(full / "ckpt" / "checkpoint.pt")  # weights, optimizer, EMA, best, RNG
    got = saved_tensors(cut / "ckpt" / "checkpoint.pt")
    assert want.keys() == got.keys()
    for key in want:
        assert torch.equal(want[key], got[key]), key
    assert torch.load(cut / "ckpt" / "checkpoint.pt", weights_only=True)["run"]["epoch"] == 6
    bent_tensors = saved_tensors(bent / "ckpt" / "checkpoint.pt")
    assert any(not torch.equal(want[k], bent_tensors[k]) for k in want if "model" in k)
