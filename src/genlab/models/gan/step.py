"""The GAN's training step: a discriminator update with the R1 penalty, then a generator update.

:class:`GANStep` is a :class:`~genlab.train.Step` that owns two Adam optimizers (one per
network). On every batch of real features ``x`` (and class codes ``c``):

1. discriminator: minimise ``softplus(-D(x, c)) + softplus(D(G(z), c))`` (the standard loss,
   ``-log sigmoid D(x) - log(1 - sigmoid D(G(z)))``) plus ``gamma / 2 * E ||grad_x D(x, c)||^2``
   on the real rows (zero-centred R1);
2. generator: minimise the non-saturating loss ``softplus(-D(G(z'), c))`` with fresh noise.

The latent noise and the Gumbel noise come from torch's global generator, which the trainer
seeds and a checkpoint restores, so a resumed run continues exactly.
:meth:`GANStep.optimizers` lists both optimizers: checkpoints save them, ``resume`` restores
them. :func:`generator_loss` is the validation loss (the generator's loss against the current
discriminator on held-out batches), and :class:`KeepLast` keeps the last epoch's weights.

Example:
    >>> import torch
    >>> from genlab.models.gan.networks import GANPair
    >>> from genlab.train import TrainConfig, fit_module
    >>> layout = {"numeric": [0, 1], "n_categories": [], "bounded": False, "n_features": 2}
    >>> pair = GANPair({"architecture": "mlp", "latent_dim": 2, "hidden": 8, "depth": 1,
    ...                 "n_classes": 0, "gumbel_tau": 0.2, "layout": layout})
    >>> config = TrainConfig(max_epochs=2, progress=False)
    >>> step = GANStep(r1_gamma=1.0)
    >>> result = fit_module(pair, generator_loss, [torch.randn(64, 2)], config, step=step)
    >>> result.epochs, sorted(step.optimizers())
    (2, ['discriminator', 'generator'])
"""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn import functional as F

from genlab.train import Callback, Run, Step, StepContext, check_finite


def _unpack(batch: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Real features ``(B, F)`` and class codes ``(B,)`` (None without labels)."""
    return batch[0], (batch[1] if len(batch) > 1 else None)


def _noise(module: nn.Module, n: int, like: torch.Tensor) -> torch.Tensor:
    return torch.randn(n, module.latent_dim, device=like.device, dtype=like.dtype)


def generator_loss(module: nn.Module, batch: list[torch.Tensor]) -> torch.Tensor:
    """The non-saturating generator loss ``mean softplus(-D(G(z), c))`` for a batch's size and
    labels (the validation loss; the real rows only say how many fakes and which classes)."""
    x, codes = _unpack(batch)
    z = _noise(_inner(module), len(x), x)
    return F.softplus(-module("d", module("g", z, codes), codes)).mean()


def _inner(module: nn.Module) -> nn.Module:
    """The pair itself, also when ``module`` is its DDP wrapper."""
    return getattr(module, "module", module)


class GANStep(Step):
    """Alternating discriminator (non-saturating loss + R1) and generator updates.

    Args:
        r1_gamma: weight ``gamma`` of the R1 penalty ``gamma / 2 * E ||grad_x D(x)||^2``.
        betas: Adam's ``(beta1, beta2)`` for both optimizers.

    Both optimizers use the trainer's ``lr`` and ``weight_decay`` (as L2 in Adam).
    """

    find_unused_parameters = True  # each update leaves the other network without gradients

    def __init__(self, r1_gamma: float, betas: tuple[float, float] = (0.5, 0.999)) -> None:
        self.r1_gamma, self.betas = float(r1_gamma), tuple(betas)

    def setup(self, context: StepContext) -> None:
        super().setup(context)
        pair, config = context.module, context.config
        self.opt_d = torch.optim.Adam(
            pair.discriminator_parameters(),
            lr=config.lr,
            betas=self.betas,
            weight_decay=config.weight_decay,
        )
        self.opt_g = torch.optim.Adam(
            pair.generator_parameters(),
            lr=config.lr,
            betas=self.betas,
            weight_decay=config.weight_decay,
        )

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        if not hasattr(self, "opt_d"):  # before setup
            return {}
        return {"discriminator": self.opt_d, "generator": self.opt_g}

    def __call__(self, batch: list[torch.Tensor]) -> float:
        self.discriminator_update(batch)
        loss = self.generator_update(batch)
        self.context.ema.update(self.context.module)
        return loss

    def discriminator_update(self, batch: list[torch.Tensor]) -> float:
        """One step of the discriminator; returns its loss (without the penalty)."""
        net, pair = self.context.wrapped, self.context.module
        x, codes = _unpack(batch)
        with torch.no_grad():
            fake = net("g", _noise(pair, len(x), x), codes)  # (B, F), no generator gradients
        real = x.detach().requires_grad_(True)
        real_logit, fake_logit = net("d", real, codes), net("d", fake, codes)
        loss = F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean()
        total = loss
        if self.r1_gamma > 0:
            (grad,) = torch.autograd.grad(real_logit.sum(), real, create_graph=True)
            total = loss + self.r1_gamma / 2 * grad.pow(2).sum(dim=1).mean()
        check_finite(total)
        self.optimize(total, self.opt_d, pair.discriminator_parameters())
        return loss.item()

    def generator_update(self, batch: list[torch.Tensor]) -> float:
        """One step of the generator (non-saturating loss); returns its loss."""
        pair = self.context.module
        d_params = pair.discriminator_parameters()
        for p in d_params:  # the discriminator is a fixed critic here: no gradients for it
            p.requires_grad_(False)
        try:
            loss = generator_loss(self.context.wrapped, batch)
            check_finite(loss)
            self.optimize(loss, self.opt_g, pair.generator_parameters())
        finally:
            for p in d_params:
                p.requires_grad_(True)
        return loss.item()


class KeepLast(Callback):
    """Makes the last epoch's (EMA) weights the ones the trainer restores at the end.

    The generator's loss against a discriminator that keeps improving is no measure of
    sample quality (it usually rises as the discriminator learns), so the epoch of its
    minimum would return an early, under-trained generator; a GAN keeps its last weights.
    """

    def on_epoch_end(self, run: Run) -> None:
        run.best_val, run.best_epoch = run.history[-1]["val_loss"], run.epoch
        with run.ema.applied(run.module):
            run.best_state = copy.deepcopy(run.module.state_dict())
