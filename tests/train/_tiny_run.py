"""A tiny training run used by the trainer tests, as a script so it can be killed or torchrun.

Usage: python _tiny_run.py OUT_DIR [--kill-at-epoch K] [--resume] [--seed S]
Writes OUT_DIR/result.json (rank 0) with the best validation loss and a weight checksum, and
OUT_DIR/weights.pt with the final weights. ``--seed S`` draws the initial mean from seed S (without
it the mean starts at 0; the trainer reseeds the torch RNG itself): a resumed run given another
seed can only match the uninterrupted one if it loads the checkpoint.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import torch

from genlab.train import TrainConfig, fit_module, is_main_process


def data() -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    return torch.randn(600, 3, generator=g) @ torch.tensor([[1.0, 0.5, 0], [0, 1, 0], [0, 0, 2]])


class Gaussian(torch.nn.Module):
    """A full-covariance Gaussian with a little MLP noise, enough to have an optimizer state."""

    def __init__(self) -> None:
        super().__init__()
        self.mean = torch.nn.Parameter(torch.zeros(3))
        self.chol = torch.nn.Parameter(torch.eye(3))
        self.drop = torch.nn.Dropout(0.1)  # uses the torch RNG: resume must restore it

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        L = torch.tril(self.chol)
        dist = torch.distributions.MultivariateNormal(self.mean, scale_tril=L + 1e-3 * torch.eye(3))
        return -dist.log_prob(self.drop(x) if self.training else x)


def main() -> None:
    out = Path(sys.argv[1])
    kill_at = (
        int(sys.argv[sys.argv.index("--kill-at-epoch") + 1])
        if "--kill-at-epoch" in sys.argv
        else None
    )
    calls = {"n": 0}
    batches_per_epoch = 5  # 540 training rows / batch 128 -> 5 batches

    def loss(module: torch.nn.Module, batch: list[torch.Tensor]) -> torch.Tensor:
        if kill_at is not None and module.training:
            calls["n"] += 1
            if calls["n"] > kill_at * batches_per_epoch:
                os.kill(os.getpid(), signal.SIGKILL)  # a real kill: no cleanup runs
        return module(batch[0]).mean()

    model = Gaussian()
    if "--seed" in sys.argv:
        seed = int(sys.argv[sys.argv.index("--seed") + 1])
        with torch.no_grad():
            model.mean.copy_(torch.randn(3, generator=torch.Generator().manual_seed(seed)))
    config = TrainConfig(
        max_epochs=12,
        lr=0.05,
        patience=100,
        ema_decay=0.9,
        progress=False,
        checkpoint_dir=str(out / "ckpt"),
        resume="--resume" in sys.argv,
    )
    result = fit_module(model, loss, [data()], config)
    if is_main_process():
        torch.save(model.state_dict(), out / "weights.pt")
        checksum = float(sum(p.double().sum() for p in model.state_dict().values()))
        (out / "result.json").write_text(
            json.dumps(
                {
                    "best_val_loss": result.best_val_loss,
                    "checksum": checksum,
                    "epochs": result.epochs,
                }
            )
        )


if __name__ == "__main__":
    main()
