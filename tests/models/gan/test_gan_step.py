"""Tests of the GAN's training step: alternating updates of two networks, both optimizers in
checkpoints, and a resumed run that ends exactly where an uninterrupted one does."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import genlab
from genlab.models.gan.networks import GANPair
from genlab.models.gan.step import GANStep, generator_loss
from genlab.train import CHECKPOINT_FILE, Ema, StepContext, TrainConfig

LAYOUT = {"numeric": [0, 1], "n_categories": [], "bounded": False, "n_features": 2}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _pair(n_classes: int = 0) -> GANPair:
    torch.manual_seed(0)
    config = {"architecture": "mlp", "latent_dim": 2, "hidden": 8, "depth": 1}
    return GANPair(config | {"n_classes": n_classes, "gumbel_tau": 0.2, "layout": LAYOUT})


def _ready_step(pair: GANPair, r1_gamma: float = 1.0) -> GANStep:
    step = GANStep(r1_gamma)
    config = TrainConfig(lr=1e-2, progress=False)
    step.setup(StepContext(pair, pair, generator_loss, config, Ema(pair, None)))
    return step


def _weights(params: list[torch.nn.Parameter]) -> list[torch.Tensor]:
    return [p.detach().clone() for p in params]


def _changed(before: list[torch.Tensor], params: list[torch.nn.Parameter]) -> bool:
    return any(not torch.equal(b, p) for b, p in zip(before, params, strict=True))


def test_each_update_moves_its_own_network_only():
    pair = _pair(n_classes=2)
    step = _ready_step(pair)
    batch = [torch.randn(16, 2), torch.randint(0, 2, (16,))]
    g0, d0 = _weights(pair.generator_parameters()), _weights(pair.discriminator_parameters())
    step.discriminator_update(batch)
    assert _changed(d0, pair.discriminator_parameters())
    assert not _changed(g0, pair.generator_parameters())
    d1 = _weights(pair.discriminator_parameters())
    step.generator_update(batch)
    assert _changed(g0, pair.generator_parameters())
    assert not _changed(d1, pair.discriminator_parameters())
    assert all(p.requires_grad for p in pair.parameters())  # the critic is unfrozen again


def test_a_step_alternates_discriminator_then_generator():
    pair = _pair()
    step = _ready_step(pair)
    calls = []
    for name in ("discriminator_update", "generator_update"):
        update = getattr(step, name)
        setattr(
            step, name, lambda batch, update=update, name=name: calls.append(name) or update(batch)
        )
    g0, d0 = _weights(pair.generator_parameters()), _weights(pair.discriminator_parameters())
    for _ in range(3):
        loss = step([torch.randn(16, 2)])
    assert calls == ["discriminator_update", "generator_update"] * 3
    assert np.isfinite(loss)
    assert _changed(g0, pair.generator_parameters())
    assert _changed(d0, pair.discriminator_parameters())
    assert sorted(step.optimizers()) == ["discriminator", "generator"]
    assert all(step.state_dict()[name]["state"] for name in ("discriminator", "generator"))


def test_the_r1_penalty_changes_the_discriminator_update():
    batch = [torch.randn(16, 2) * 3]
    updated = []
    for gamma in (0.0, 10.0):
        pair = _pair()
        torch.manual_seed(1)
        _ready_step(pair, gamma).discriminator_update(batch)
        updated.append(_weights(pair.discriminator_parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(*updated, strict=True))


def _fit(tmp_path, epochs: int, **settings) -> genlab.GAN:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = (X[:, 0] > 0).astype(int)
    gan = genlab.GAN(
        latent_dim=2,
        hidden=8,
        depth=1,
        lr=5e-3,
        batch_size=32,
        max_epochs=epochs,
        progress=False,
        **settings,
    )
    return gan.fit(X, y)


def test_resume_restores_both_optimizers_and_ends_as_an_uninterrupted_run(tmp_path):
    full = _fit(tmp_path, 6)
    ckpt = str(tmp_path / "ckpt")
    _fit(tmp_path, 3, checkpoint_dir=ckpt)  # "interrupted" after epoch 3
    saved = torch.load(tmp_path / "ckpt" / CHECKPOINT_FILE, weights_only=True)
    assert sorted(saved["step"]) == ["discriminator", "generator"]
    assert all(saved["step"][name]["state"] for name in saved["step"])
    resumed = _fit(tmp_path, 6, checkpoint_dir=ckpt, resume=True)
    assert resumed.train_result_.epochs == 6
    a, b = full.module_.state_dict(), resumed.module_.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert np.array_equal(full.sample(5, random_state=0), resumed.sample(5, random_state=0))
    history = [r["val_loss"] for r in full.train_result_.history]
    assert history == [r["val_loss"] for r in resumed.train_result_.history]
