"""Variational autoencoders: Gaussian latents, per-column decoders, importance-weighted bounds.

:class:`VAE` is the scikit-learn façade; :class:`~genlab.HierarchicalVAE` is its many-layer
case. The pieces:

==============================================  ==============================================
module                                          what
==============================================  ==============================================
:mod:`~genlab.models.vae.network`               ``LatentNet``: encoder, decoder, the latent
                                                chain (top-down or bottom-up inference)
:mod:`~genlab.models.vae.conv`                  the convolutional encoder/decoder on images
:mod:`~genlab.models.vae.distributions`         diagonal Gaussians, ``p(x | z)`` per column
:mod:`~genlab.models.vae.losses`                the training loss (ELBO with ``beta``, IWAE)
:mod:`~genlab.models.vae.importance`            IWAE ``log_prob``, MIWAE-style ``impute``
:mod:`~genlab.models.vae.latents`               ``encode``/``decode``, ``elbo_terms``, the
                                                latent-coding interface for bits-back coding
==============================================  ==============================================

The decoder emits flat parameters that :class:`~genlab.nn.heads.ColumnHeads` reads per schema
column: a discretized logistic mixture on integer grids (pixel levels), a softmax on
categorical columns, a Gaussian mixture on (standardized) continuous columns. Missing entries
are allowed in ``fit``, ``log_prob`` and ``impute`` (the encoder sees zeros plus the observed
mask; the likelihood counts observed entries only).

References:
    Kingma, D. P. & Welling, M. (2014). Auto-encoding variational Bayes. ICLR.
    Burda, Y., Grosse, R. & Salakhutdinov, R. (2016). Importance weighted autoencoders. ICLR.
    Sohn, K., Lee, H. & Yan, X. (2015). Learning structured output representation using deep
        conditional generative models. NeurIPS.
    Mattei, P.-A. & Frellsen, J. (2019). MIWAE: deep generative modelling and imputation of
        incomplete data sets. ICML.
    Ma, C. et al. (2019). EDDI: efficient dynamic discovery of high-value information with
        partial VAE. ICML.

Example:
    >>> import genlab
    >>> ds = genlab.load_dataset("iris")
    >>> vae = genlab.VAE(latent_dim=2, max_epochs=5, progress=False).fit(ds.X)
    >>> vae.encode(ds.X.head(3)).shape, vae.sample(2, random_state=0).shape
    ((3, 2), (2, 4))
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from genlab.core.errors import InputError
from genlab.models.neural import NeuralModel, standard_scale
from genlab.models.vae.importance import ImportanceWeighted
from genlab.models.vae.latents import LatentAccess
from genlab.models.vae.losses import negative_bound
from genlab.models.vae.network import LatentNet
from genlab.nn.heads import ColumnHeads

ARCHITECTURES = ("mlp", "conv")
INFERENCE = ("top_down", "bottom_up")
PRIORS = ("normal", "class")


class VAE(ImportanceWeighted, LatentAccess, NeuralModel):
    """Variational autoencoder (conditional when fitted with labels); see module docstring.

    Args:
        latent_dim: dimension of the Gaussian latent ``z``.
        architecture: ``"mlp"`` or ``"conv"`` (small convolutional encoder/decoder; images only).
        hidden: width of the hidden layers.
        depth: hidden layers of the encoder and of the decoder.
        n_components: mixture components of each integer/continuous column's output head.
        n_importance: importance samples ``k`` of the IWAE bound in ``log_prob`` and of the
            importance resampling in ``impute``.
        n_train_samples: samples of the training bound: 1 trains the ELBO, more the IWAE
            bound (as MIWAE does).
        encoder_dropout: fraction of training rows whose encoder sees a random subset of the
            entries (the likelihood still scores them all), as EDDI's partial VAE does: it
            trains ``q(z | x_o)`` for the missing patterns of imputation when the training
            data is complete, at the price of a looser bound on complete rows.
        beta: weight of the rate (KL) terms in the one-sample training ELBO (beta-VAE; with
            ``n_train_samples > 1`` the IWAE bound is trained and ``beta`` is unused).
            ``beta < 1`` lets ``z`` keep more information than the prior pays for, at the
            price of a prior that fits the codes less well (worse samples); ``beta > 1``
            pulls the codes towards the prior (with ``latent_prior="class"``: towards their
            class means), trading reconstruction for separation. ``log_prob`` is always the
            unweighted bound. The default 1 trains the ELBO itself; no data chose it. The
            ``digits-represent`` suite's class-prior values (8 for 2-D codes, 2 for 8-D) are
            the best 5-NN probe of 1, 2, 4 and 8 on held-out *training* digits, by
            ``tools/choose_vae_beta.py`` (which prints the figures).
        latent_prior: ``"normal"`` (``p(z) = N(0, I)``; labels given to ``fit`` condition
            encoder, decoder and prior: a conditional VAE) or ``"class"`` (needs labels: each
            class gets a learned prior mean, ``p(z | c) = N(mu_c, I)``, while encoder and
            decoder never see the label; ``encode``/``decode`` then need no condition and
            the classes separate in ``z``, a supervised representation).
        conv_width: channels of the first convolution (``architecture="conv"``).

    Training settings (``max_epochs``, ``lr``, ``random_state``, ...): see
    :class:`genlab.TrainConfig`; ``random_state`` also seeds ``log_prob``'s importance samples.

    Example:
        >>> import numpy as np, genlab
        >>> digits = genlab.load_dataset("digits").subset(np.arange(200))
        >>> vae = genlab.VAE(latent_dim=4, hidden=32, max_epochs=2, progress=False).fit(digits)
        >>> vae.encode(digits.X[:3]).shape, vae.decode(np.zeros((1, 4))).shape
        ((3, 4), (1, 8, 8))
        >>> vae.interpolate(digits.X[0], digits.X[1], steps=5).shape
        (5, 8, 8)
        >>> holes = digits.X[:2].astype(float); holes[:, 4:] = np.nan  # bottom halves missing
        >>> filled = vae.impute(holes, random_state=0)
        >>> bool((filled[:, :4] == digits.X[:2, :4]).all()), filled.dtype.kind
        (True, 'i')
        >>> vae.latent_dims, vae.elbo_terms(digits.X[:3], random_state=0)["rate"].shape
        ((4,), (3,))
    """

    family = "vae"
    capabilities = frozenset(
        {"sample", "likelihood_bound", "impute", "latent", "conditional", "compress"}
    )
    fits_missing = True
    heads_config_key: ClassVar[str] = "heads"

    train_defaults: ClassVar[dict[str, Any]] = {"max_epochs": 500, "patience": 20}

    def __init__(
        self,
        *,
        latent_dim: int = 16,
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
        self.latent_dim = latent_dim
        self.architecture = architecture
        self.hidden = hidden
        self.depth = depth
        self.n_components = n_components
        self.n_importance = n_importance
        self.n_train_samples = n_train_samples
        self.encoder_dropout = encoder_dropout
        self.beta = beta
        self.latent_prior = latent_prior
        self.conv_width = conv_width

    # ============================================================== building
    def _latent_dims(self) -> list[int]:
        """Latent sizes, bottom layer first."""
        return [int(self.latent_dim)]

    def _inference(self) -> str:
        """The network's inference structure (one layer: both are the same)."""
        return "top_down"

    def _check_params(self) -> None:
        positive = {
            "latent_dim": self.latent_dim,
            "hidden": self.hidden,
            "depth": self.depth,
            "n_components": self.n_components,
            "n_importance": self.n_importance,
            "n_train_samples": self.n_train_samples,
            "conv_width": self.conv_width,
        }
        for name, value in positive.items():
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise InputError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.encoder_dropout, int | float) or not 0 <= self.encoder_dropout <= 1:
            raise InputError(f"encoder_dropout must be in [0, 1], got {self.encoder_dropout!r}")
        if not isinstance(self.beta, int | float) or isinstance(self.beta, bool) or self.beta <= 0:
            raise InputError(f"beta must be a positive number, got {self.beta!r}")
        if self.latent_prior not in PRIORS:
            raise InputError(f"latent_prior must be one of {PRIORS}, got {self.latent_prior!r}")
        if self.latent_prior == "class" and self.classes_ is None:
            raise InputError("latent_prior='class' needs class labels: fit(X, y)")
        if self.architecture not in ARCHITECTURES:
            raise InputError(
                f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}"
            )
        if self.architecture == "conv" and self.schema_.container != "image":
            raise InputError(
                "architecture='conv' needs images (N, H, W[, C]); use 'mlp' for tables"
            )

    def _module_config(self, A: np.ndarray) -> dict:
        """The network's JSON-able config, with the input/output scaling of every column."""
        spec = ColumnHeads.spec_from_schema(self.schema_, int(self.n_components))
        mean, std = np.nanmean(A, axis=0), np.nanstd(A, axis=0)
        in_center, in_scale, head_center, head_scale = [], [], [], []
        for j, col in enumerate(self.schema_.columns):
            center, scale = 0.0, 1.0
            if col.kind == "continuous":  # standardized in float64 before the network
                center, scale = float(mean[j]), standard_scale(std[j], mean[j])
            head_center.append(center)
            head_scale.append(scale)
            grid = col.kind == "integer"  # the encoder sees the grid lo..hi on [-1, 1]
            lo, hi = col.levels if grid else (-1, 1)
            in_center.append((lo + hi) / 2 if grid else 0.0)
            in_scale.append(max((hi - lo) / 2, 0.5) if grid else 1.0)
        image_shape = self.schema_.image_shape
        return {
            "heads": spec,
            "in_center": in_center,
            "in_scale": in_scale,
            "head_center": head_center,
            "head_scale": head_scale,
            "latent_dims": self._latent_dims(),
            "hidden": int(self.hidden),
            "depth": int(self.depth),
            "architecture": self.architecture,
            "image_shape": None if image_shape is None else list(image_shape),
            "conv_width": int(self.conv_width),
            "n_classes": 0 if self.classes_ is None else len(self.classes_),
            "inference": self._inference(),
            "class_prior": self.latent_prior == "class",
        }

    def _build_module(self, config: dict) -> nn.Module:
        return LatentNet(config)

    def _load_extra_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        # An edited schema: refused at load (the loader names the file), not when used.
        if len(self.module_config_["head_center"]) != self.schema_.n_columns:
            raise ValueError("the network's columns do not match the schema's")

    def network_rows(self, X: Any) -> torch.Tensor:
        """``X`` as the network reads it: ``(N, D)`` float32, NaN for missing entries.

        Integer columns keep their levels and categorical columns their codes (so a coder
        sees the data's own grid); continuous columns are standardized with the training
        mean and std, in float64 before the cast, so large values keep their precision.
        """
        return self._network_rows(self._encode(X))

    def _network_rows(self, A: np.ndarray) -> torch.Tensor:
        """Encoded rows ``A`` on the network's scale (see :meth:`network_rows`)."""
        center = np.asarray(self.module_config_["head_center"])
        scale = np.asarray(self.module_config_["head_scale"])
        return torch.as_tensor((A - center) / scale, dtype=torch.float32)

    def _data_rows(self, Y: torch.Tensor) -> np.ndarray:
        """Network-scale rows back to the schema's encoded scale, float64 ``(N, D)``."""
        center = np.asarray(self.module_config_["head_center"])
        scale = np.asarray(self.module_config_["head_scale"])
        return Y.double().numpy() * scale + center

    def _fit(self, A: np.ndarray, codes: np.ndarray | None) -> None:
        self._check_params()
        self.module_config_ = self._module_config(A)
        with torch.random.fork_rng():  # seeded weights, without touching the caller's RNG
            torch.manual_seed(0 if self.random_state is None else int(self.random_state))
            module = self._build_module(self.module_config_)
        tensors = [self._network_rows(A)]
        if codes is not None:
            tensors.append(torch.as_tensor(codes, dtype=torch.long))
        loss = partial(
            negative_bound,
            n_samples=int(self.n_train_samples),
            hide=float(self.encoder_dropout),
            beta=float(self.beta),
        )
        self._train(module, loss, tensors)

    # ============================================================ the hooks
    @torch.no_grad()
    def _sample(self, n: int, codes: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
        g, net = self._torch_rng(rng), self.module_
        c = None if codes is None else torch.as_tensor(codes, dtype=torch.long)
        z1 = net.sample_latents(n, c, g)
        return self._data_rows(net.likelihood(z1, c).sample(g))
