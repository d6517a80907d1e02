"""Step hooks: the default LossStep, and a custom step with two optimizers (a tiny GAN)."""

from __future__ import annotations

import shutil

import pytest
import torch
import torch.nn.functional as F

from genlab.train import (
    CHECKPOINT_FILE,
    LossStep,
    Step,
    TrainConfig,
    check_finite,
    fit_module,
)

REAL = torch.randn(256, 1, generator=torch.Generator().manual_seed(0)) * 0.5 + 3.0


def _pair() -> torch.nn.ModuleDict:
    torch.manual_seed(1)
    return torch.nn.ModuleDict(
        {
            "g": torch.nn.Linear(1, 1),
            "d": torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)),
        }
    )


def _generator_loss(m: torch.nn.Module, batch: list[torch.Tensor]) -> torch.Tensor:
    """What a GAN validates with: the generator's loss against the current discriminator."""
    logits = m["d"](m["g"](torch.randn(len(batch[0]), 1)))
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


class GanStep(Step):
    """One discriminator update, then one generator update, each with its own Adam."""

    find_unused_parameters = True

    def __init__(self) -> None:
        self.order: list[str] = []

    def setup(self, context):
        super().setup(context)
        m, lr = context.module, context.config.lr
        self.opt_d = torch.optim.Adam(m["d"].parameters(), lr=lr, betas=(0.5, 0.999))
        self.opt_g = torch.optim.Adam(m["g"].parameters(), lr=lr, betas=(0.5, 0.999))

    def optimizers(self):
        return {"discriminator": self.opt_d, "generator": self.opt_g}

    def __call__(self, batch):
        m, real = self.context.module, batch[0]
        fake = m["g"](torch.randn(len(real), 1))
        d_real, d_fake = m["d"](real), m["d"](fake.detach())
        loss_d = F.binary_cross_entropy_with_logits(
            d_real, torch.ones_like(d_real)
        ) + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
        check_finite(loss_d)
        self.optimize(loss_d, self.opt_d, m["d"].parameters())
        self.order.append("d")
        logits = m["d"](fake)
        loss_g = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
        check_finite(loss_g)
        self.optimize(loss_g, self.opt_g, m["g"].parameters())
        self.order.append("g")
        return loss_g.item()


def _config(**kw) -> TrainConfig:
    return TrainConfig(**{"batch_size": 64, "lr": 0.01, "patience": 100, "progress": False, **kw})


def test_a_two_optimizer_step_trains_both_modules_alternately():
    pair = _pair()
    before = {k: v.clone() for k, v in pair.state_dict().items()}
    step = GanStep()
    result = fit_module(pair, _generator_loss, [REAL], _config(max_epochs=4), step=step)
    assert result.epochs == 4 and len(result.history) == 4
    batches = 4 * 4  # 231 training rows / 64 -> 4 batches per epoch
    assert step.order == ["d", "g"] * batches
    for name in ("g", "d"):
        changed = [
            not torch.equal(v, before[k]) for k, v in pair.state_dict().items() if k[0] == name
        ]
        assert all(changed), name
    assert set(step.state_dict()) == {"discriminator", "generator"}


class ForgetfulGanStep(GanStep):
    def load_state_dict(self, state):  # a step that would not restore its optimizers
        pass


def test_resume_restores_both_optimizers_of_a_custom_step(tmp_path):
    full = _pair()
    a = fit_module(full, _generator_loss, [REAL], _config(max_epochs=6), step=GanStep())
    part = tmp_path / "part"
    fit_module(_pair(), _generator_loss, [REAL], _config(max_epochs=3, checkpoint_dir=str(part)),
               step=GanStep())  # fmt: skip
    saved = torch.load(part / CHECKPOINT_FILE, weights_only=True)
    assert all(saved["step"][name]["state"] for name in ("discriminator", "generator"))

    def resume(step: Step, name: str) -> tuple[torch.nn.Module, list[dict]]:
        shutil.copytree(part, tmp_path / name)  # each resume starts from the epoch-3 checkpoint
        pair = _pair()
        config = _config(max_epochs=6, resume=True, checkpoint_dir=str(tmp_path / name))
        return pair, fit_module(pair, _generator_loss, [REAL], config, step=step).history

    resumed, history = resume(GanStep(), "resumed")
    assert history == a.history  # the losses of all 6 epochs, bit for bit
    assert all(torch.equal(v, resumed.state_dict()[k]) for k, v in full.state_dict().items())
    # the check can fail: fresh optimizer moments after the resume give other losses
    _, forgetful = resume(ForgetfulGanStep(), "forgetful")
    assert forgetful[:3] == a.history[:3] and forgetful[3:] != a.history[3:]


def test_the_default_step_is_adamw_with_the_configured_settings():
    lin = torch.nn.Linear(2, 1)
    step = LossStep()
    config = _config(max_epochs=1, lr=0.02, weight_decay=0.1)
    fit_module(lin, lambda m, b: m(b[0]).pow(2).mean(), [torch.randn(40, 2)], config, step=step)
    assert isinstance(step.optimizer, torch.optim.AdamW)
    group = step.optimizer.param_groups[0]
    assert (group["lr"], group["weight_decay"]) == (0.02, 0.1)
    assert set(step.state_dict()) == {"optimizer"}


def test_a_non_finite_loss_raises_and_leaves_the_weights_untouched():
    lin = torch.nn.Linear(1, 1)
    before = lin.bias.detach().clone()

    def loss(m, batch):
        return m(batch[0]).mean() * float("nan")

    with pytest.raises(FloatingPointError, match="training loss became nan at row block 0"):
        fit_module(lin, loss, [torch.randn(50, 1)], _config(max_epochs=2))
    assert torch.equal(lin.bias.detach(), before)


def test_a_custom_step_returning_a_non_finite_loss_raises():
    class Careless(Step):
        def __call__(self, batch):
            return float("inf")

    with pytest.raises(FloatingPointError, match="row block 0"):
        fit_module(
            torch.nn.Linear(1, 1),
            lambda m, b: m(b[0]).mean(),
            [torch.randn(50, 1)],
            _config(max_epochs=1),
            step=Careless(),
        )
