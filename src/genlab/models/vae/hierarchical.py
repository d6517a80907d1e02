"""Hierarchical VAE: a chain of Gaussian latent layers ``z_L -> ... -> z_1 -> x``.

The network is :class:`~genlab.models.vae.network.LatentNet` with ``n_layers >= 2`` latent
layers (the plain :class:`~genlab.VAE` is its one-layer case, so everything else —
conditioning, missing values, IWAE ``log_prob``, importance-resampling ``impute``,
``encode``/``decode``/``interpolate``, ``elbo_terms`` — is shared). Two inference structures:

* ``inference="top_down"`` (LVAE / vdvae): ``q(z_L | x)``, then ``q(z_l | x, z_{l+1})``; the
  posterior of each layer shares the generative path above it, which keeps upper layers in use;
* ``inference="bottom_up"`` (Bit-Swap): the Markov chain ``q(z_1 | x) q(z_2 | z_1) ...``,
  which bits-back coding with interleaved latents (Bit-Swap) needs.

A bottom-up model gives its per-layer distributions through the latent-coding interface of
:mod:`genlab.models.vae.latents` (``latent_dims``, ``latent_inference``,
``latent_posterior``, ``latent_layer_prior``, ``data_log_pmf``), which
:mod:`genlab.jobs.compress.latent` codes with.

References:
    Sønderby, C. K. et al. (2016). Ladder variational autoencoders. NeurIPS.
    Kingma, F., Abbeel, P. & Ho, J. (2019). Bit-Swap: recursive bits-back coding for lossless
        compression with hierarchical latent variables. ICML.
    Child, R. (2021). Very deep VAEs generalize autoregressive models and can outperform them
        on images. ICLR.

Example:
    >>> import genlab
    >>> ds = genlab.load_dataset("iris")
    >>> m = genlab.HierarchicalVAE(latent_dim=2, max_epochs=3, progress=False).fit(ds.X)
    >>> m.latent_dims, m.latent_inference, m.elbo_terms(ds.X.head(5), random_state=0)["elbo"].shape
    ((16, 2), 'bottom_up', (5,))
    >>> m.encode(ds.X.head(5)).shape, m.encode(ds.X.head(5), layer="all").shape
    ((5, 2), (5, 18))
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from genlab.core.errors import InputError
from genlab.models.vae.estimator import INFERENCE, VAE


class HierarchicalVAE(VAE):
    """VAE with ``n_layers`` stochastic layers (see module docstring).

    Args:
        latent_dim: dimension of the top latent ``z_L`` (what ``encode`` returns by default).
        n_layers: number of stochastic layers (>= 2).
        lower_latent_dim: dimension of each lower layer ``z_1 .. z_{L-1}``.
        inference: ``"bottom_up"`` (the default: Bit-Swap's structure, which bits-back
            coding needs) or ``"top_down"`` (see module docstring).
        beta: weight of the rate (KL) terms of every layer in the one-sample training ELBO
            (1 trains the bound itself; see :class:`~genlab.VAE`).
        latent_prior: ``"normal"`` (``p(z_L) = N(0, I)``; labels given to ``fit`` condition
            every network) or ``"class"`` (needs labels: the labels only move the mean of the
            top prior, ``p(z_L | c) = N(mu_c, I)``; every other network is unconditional).
        architecture, hidden, depth, n_components, n_importance, n_train_samples,
            encoder_dropout, conv_width: as for :class:`~genlab.VAE`.

    Training settings (``max_epochs``, ``lr``, ``ema_decay``, ``random_state``, ...): see
    :class:`genlab.TrainConfig`. A hierarchy gains from an averaged copy of its weights
    (``ema_decay`` close to 1) in long runs; the average starts at the initial weights, so
    short runs are better without it.
    """

    family = "hvae"
    #: Hyperparameters added after HierarchicalVAE files were first written: at these values,
    #: a model's digest (its compressed files' fingerprint) leaves them out.
    digest_skips_defaults: ClassVar[dict[str, Any]] = {"beta": 1.0, "latent_prior": "normal"}

    def __init__(
        self,
        *,
        latent_dim: int = 8,
        n_layers: int = 2,
        lower_latent_dim: int = 16,
        inference: str = "bottom_up",
        architecture: str = "mlp",
        hidden: int = 256,
        depth: int = 2,
        n_components: int = 1,
        n_importance: int = 100,
        n_train_samples: int = 1,
        encoder_dropout: float = 0.0,
        beta: float = 1.0,
        latent_prior: str = "normal",
        conv_width: int = 32,
    ) -> None:
        super().__init__(
            latent_dim=latent_dim,
            architecture=architecture,
            hidden=hidden,
            depth=depth,
            n_components=n_components,
            n_importance=n_importance,
            n_train_samples=n_train_samples,
            encoder_dropout=encoder_dropout,
            beta=beta,
            latent_prior=latent_prior,
            conv_width=conv_width,
        )
        self.n_layers = n_layers
        self.lower_latent_dim = lower_latent_dim
        self.inference = inference

    def _latent_dims(self) -> list[int]:
        return [int(self.lower_latent_dim)] * (int(self.n_layers) - 1) + [int(self.latent_dim)]

    def _inference(self) -> str:
        return self.inference

    def _check_params(self) -> None:
        super()._check_params()
        for name in ("n_layers", "lower_latent_dim"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise InputError(f"{name} must be a positive integer, got {value!r}")
        if self.n_layers < 2:
            raise InputError(f"n_layers must be >= 2 (use genlab.VAE for one), got {self.n_layers}")
        if self.inference not in INFERENCE:
            raise InputError(f"inference must be one of {INFERENCE}, got {self.inference!r}")
