"""The network of a (hierarchical) VAE: :class:`LatentNet`, its encoders and decoders.

``LatentNet`` has ``L >= 1`` Gaussian latent layers (``z_1`` next to the data, ``z_L`` on
top), a generative chain ``p(z_L) p(z_{L-1} | z_L) ... p(x | z_1)`` and an inference chain
that is either

* ``"top_down"`` (LVAE / vdvae): a deterministic bottom-up pass ``h_1 = enc(x)``,
  ``h_{l+1} = up(h_l)``, then ``q(z_L | x)`` and ``q(z_l | x, z_{l+1})`` from the top down, or
* ``"bottom_up"`` (Bit-Swap): a Markov chain ``q(z_1 | x) q(z_2 | z_1) ... q(z_L | z_{L-1})``,
  the structure that bits-back coding with interleaved latents needs.

With ``L = 1`` both are the plain VAE. The decoder emits flat parameters that
:class:`~genlab.nn.heads.ColumnHeads` reads per schema column. Class codes enter as one-hot
vectors (:class:`~genlab.nn.context.ClassContext`) concatenated to the encoder's features and
to every conditional network's input, unless the classes only move the top prior's mean.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn
from torch.distributions import Independent, kl_divergence
from torch.nn import functional as F

from genlab.core.errors import InputError
from genlab.models.vae.conv import ConvDecoder, ConvEncoder
from genlab.models.vae.distributions import (
    ColumnsDistribution,
    diagonal_normal,
    draw,
    standard_normal,
    unit_normal,
)
from genlab.nn.context import ClassContext
from genlab.nn.heads import ColumnHeads
from genlab.nn.mlp import mlp


def gaussian_net(d_in: int, d_out: int, hidden: int) -> nn.Sequential:
    """A one-hidden-layer network whose output :func:`diagonal_normal` reads, ``(B, 2 d_out)``."""
    return nn.Sequential(mlp(d_in, hidden, 1), nn.Linear(hidden, 2 * d_out))


class EncoderInputs(nn.Module):
    """Encoder features of encoded rows: scaled numbers, one-hot categories, observed mask."""

    def __init__(self, config: dict) -> None:
        super().__init__()
        spec = config["heads"]
        self.categorical = [j for j, s in enumerate(spec) if s["kind"] == "categorical"]
        self.n_categories = [spec[j]["n_categories"] for j in self.categorical]
        self.register_buffer("center", torch.tensor(config["in_center"]), persistent=False)
        self.register_buffer("scale", torch.tensor(config["in_scale"]), persistent=False)
        self.numeric = [j for j in range(len(spec)) if j not in self.categorical]
        self.n_features = 2 * len(spec) + sum(self.n_categories) - len(self.categorical)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, n_features)`` features of rows ``x (B, D)`` (NaN = missing)."""
        observed = ~torch.isnan(x)  # (B, D)
        values = torch.where(observed, (x - self.center) / self.scale, 0.0)
        parts = [values[:, self.numeric]]
        for j, c in zip(self.categorical, self.n_categories, strict=True):
            code = torch.where(observed[:, j], x[:, j], 0.0).long().clamp(0, c - 1)
            parts.append(F.one_hot(code, c).to(x.dtype) * observed[:, j, None])
        return torch.cat([*parts, observed.to(x.dtype)], dim=-1)


class MlpEncoder(nn.Module):
    """``depth`` hidden layers over the encoder features and the class context."""

    def __init__(self, d_in: int, hidden: int, depth: int) -> None:
        super().__init__()
        self.net = mlp(d_in, hidden, depth)

    def forward(self, feats: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """``(B, hidden)`` features of ``feats (B, F)`` and ``context (B, n_classes)``."""
        return self.net(torch.cat([feats, context], dim=-1))


class LatentNet(nn.Module):
    """Encoder, decoder and the latent hierarchy of a (hierarchical) VAE (module docstring).

    Every method takes rows ``x (B, D)`` as :meth:`~genlab.VAE.network_rows` gives them
    (NaN = missing) and class ``codes (B,)`` (None for an unconditional model); layer 0 is
    ``z_1``, next to the data.

    Args:
        config: JSON-able dict: ``heads`` (ColumnHeads spec), ``in_center``/``in_scale`` (input
            scaling per column), ``head_center``/``head_scale`` (standardization of continuous
            columns, done by the estimator; the network adds its log-Jacobian), ``latent_dims``
            (bottom first), ``hidden``, ``depth``, ``architecture``, ``image_shape``,
            ``n_classes``, ``inference``, ``conv_width``, ``class_prior`` (optional: the
            classes only move the mean of the top prior, ``p(z_L | c) = N(mu_c, I)``; the
            encoder and decoder never see them).
    """

    def __init__(self, config: dict) -> None:
        super().__init__()
        class_prior = bool(config.get("class_prior", False))
        # with a class prior, only p(z_L | c) reads the class: the rest is unconditional
        self.n_classes = 0 if class_prior else int(config["n_classes"])
        self.context = ClassContext(self.n_classes)  # no weights: no state-dict entry
        self.latent_dims = [int(d) for d in config["latent_dims"]]
        self.inference = config["inference"]
        hidden, dims, c = config["hidden"], self.latent_dims, self.n_classes
        self.heads = ColumnHeads(config["heads"])
        log_scale = torch.tensor(np.log(config["head_scale"]), dtype=torch.float32)
        self.register_buffer("log_scale", log_scale, persistent=False)  # (D,) log-Jacobian
        self.inputs = EncoderInputs(config)
        self._build_coders(config)
        L = len(dims)
        # top_down: q(z_l | h_l, z_{l+1}) on a deterministic ladder h_{l+1} = up(h_l);
        # bottom_up: q(z_1 | h_1), q(z_{l+1} | z_l, c).
        self.up = nn.ModuleList(
            [mlp(hidden, hidden, 1) for _ in range(L - 1)] if self.inference == "top_down" else []
        )
        self.posteriors = nn.ModuleList([self._posterior_net(layer, hidden) for layer in range(L)])
        # (C, d_L) learned means of p(z_L | c); random so that the classes start apart
        self.class_means = (
            nn.Parameter(torch.randn(int(config["n_classes"]), dims[-1])) if class_prior else None
        )
        self.priors = nn.ModuleList(
            [gaussian_net(dims[i + 1] + c, dims[i], hidden) for i in range(L - 1)]
        )

    def _build_coders(self, config: dict) -> None:
        """The encoder ``x -> h_1`` and the decoder ``z_1 -> heads' parameters``."""
        hidden, depth, c = config["hidden"], config["depth"], self.n_classes
        d1 = self.latent_dims[0]
        if config["architecture"] == "conv":
            shape, width = config["image_shape"], config["conv_width"]
            per_pixel = self.heads.n_params_per_column[0]
            self.encoder = ConvEncoder(shape, hidden, c, width)
            self.decoder = ConvDecoder(shape, d1 + c, per_pixel, width)
        else:
            self.encoder = MlpEncoder(self.inputs.n_features + c, hidden, depth)
            self.decoder = nn.Sequential(
                mlp(d1 + c, hidden, depth), nn.Linear(hidden, self.heads.n_params)
            )

    def _posterior_net(self, layer: int, hidden: int) -> nn.Module:
        dims, top = self.latent_dims, len(self.latent_dims) - 1
        if self.inference == "top_down":
            if layer == top:
                return nn.Linear(hidden, 2 * dims[layer])
            return gaussian_net(hidden + dims[layer + 1], dims[layer], hidden)
        if layer == 0:
            return nn.Linear(hidden, 2 * dims[0])
        return gaussian_net(dims[layer - 1] + self.n_classes, dims[layer], hidden)

    # ----------------------------------------------------------- building blocks
    def onehot(self, codes: torch.Tensor | None, n: int) -> torch.Tensor:
        """``(n, n_classes)`` one-hot class codes; ``(n, 0)`` for an unconditional model."""
        if self.n_classes == 0:
            return self.log_scale.new_zeros(n, 0)
        if codes is None:
            raise InputError("this model is class-conditional: pass condition=")
        return self.context(codes, self.log_scale.dtype)

    def ladder(self, x: torch.Tensor, codes: torch.Tensor | None) -> list[torch.Tensor]:
        """Deterministic bottom-up activations ``h_1, h_2, ...`` (only ``h_1`` bottom-up)."""
        h = [self.encoder(self.inputs(x), self.onehot(codes, len(x)))]
        for up in self.up:
            h.append(up(h[-1]))
        return h

    def prior(
        self, layer: int, z_above: torch.Tensor | None = None, codes: torch.Tensor | None = None
    ) -> Independent:
        """``p(z_L) = N(0, I)`` (batch shape ``()``, it broadcasts) for the top layer, or
        ``N(mu_c, I)`` (batch shape ``(B,)``) with a class prior; else ``p(z_l | z_{l+1}, c)``."""
        if layer == len(self.latent_dims) - 1 and self.class_means is not None:
            if codes is None:
                raise InputError("this model has a class prior: pass condition=")
            return unit_normal(self.class_means[codes.long()])  # (B, d_L) means
        if layer == len(self.latent_dims) - 1:
            return standard_normal(self.log_scale, self.latent_dims[layer])
        inp = torch.cat([z_above, self.onehot(codes, len(z_above))], dim=-1)
        return diagonal_normal(self.priors[layer](inp))

    def posterior(
        self,
        layer: int,
        *,
        h: list[torch.Tensor] | None = None,
        z_below: torch.Tensor | None = None,
        z_above: torch.Tensor | None = None,
        codes: torch.Tensor | None = None,
    ) -> Independent:
        """``q`` of one layer: bottom_up ``q(z_1 | x)`` from ``h = ladder(x)`` and
        ``q(z_{l+1} | z_l, c)`` from ``z_below``; top_down ``q(z_l | x, z_{l+1})`` from ``h``
        and ``z_above`` (none for the top layer)."""
        net = self.posteriors[layer]
        if self.inference == "bottom_up" and layer > 0:
            return diagonal_normal(net(torch.cat([z_below, self.onehot(codes, len(z_below))], -1)))
        if layer == len(self.latent_dims) - 1 or self.inference == "bottom_up":
            return diagonal_normal(net(h[layer]))
        return diagonal_normal(net(torch.cat([h[layer], z_above], dim=-1)))

    def likelihood(
        self, z1: torch.Tensor, codes: torch.Tensor | None = None
    ) -> ColumnsDistribution:
        """``p(x | z_1, c)``: the per-column distributions of rows on the network's scale."""
        return ColumnsDistribution(
            self, self.decoder(torch.cat([z1, self.onehot(codes, len(z1))], -1))
        )

    # ------------------------------------------------------------- inference
    def infer(
        self,
        x: torch.Tensor,
        codes: torch.Tensor | None = None,
        n_samples: int = 1,
        generator: torch.Generator | None = None,
        noise: bool = True,
    ) -> tuple[list[torch.Tensor], list[Independent]]:
        """Latents ``z_l`` (``(n_samples * B, d_l)``, sample-major) and their posteriors.

        ``noise=False`` follows the posterior means instead of drawing.
        """
        h = [t.repeat(n_samples, 1) for t in self.ladder(x, codes)]  # (k B, hidden) each
        codes = None if codes is None else codes.repeat(n_samples)
        L = len(self.latent_dims)
        z: list[Any] = [None] * L
        q: list[Any] = [None] * L
        order = range(L - 1, -1, -1) if self.inference == "top_down" else range(L)
        for i in order:
            above = z[i + 1] if i + 1 < L else None
            below = z[i - 1] if i > 0 else None
            q[i] = self.posterior(i, h=h, z_below=below, z_above=above, codes=codes)
            z[i] = draw(q[i], generator, noise)
        return z, q

    def forward(
        self,
        x: torch.Tensor,
        codes: torch.Tensor | None = None,
        n_samples: int = 1,
        generator: torch.Generator | None = None,
        seen: torch.Tensor | None = None,
    ) -> dict[str, Any]:
        """Named terms of the bound, per (sample, row), in nats (as vdvae's ``forward``).

        ``seen`` is what the encoder gets instead of ``x`` (``x`` with more entries hidden):
        any posterior gives a valid bound, and one trained on subsets imputes better.

        Returns:
            ``elbo`` (kB,) = ``-distortion - rate.sum(0)``; ``distortion`` (kB,) =
            ``-log p(x_o | z_1)``; ``rate`` (L, kB), per layer ``KL(q || p)`` (analytic given
            the variables both condition on; a one-sample estimate for the lower layers of
            bottom_up inference); ``log_weight`` (k, B) the importance weights
            ``log p(x_o, z) - log q(z | x_o)``; ``params`` (kB, P) the decoder's output, which
            ``ColumnsDistribution(net, params)`` reads. Only tensors, so that DDP can wrap it.
        """
        z, q = self.infer(x if seen is None else seen, codes, n_samples, generator)
        codes_k = None if codes is None else codes.repeat(n_samples)
        likelihood = self.likelihood(z[0], codes_k)
        log_px = likelihood.log_prob(x.repeat(n_samples, 1))  # (kB,)
        log_weight, rates = log_px, []
        for i in range(len(self.latent_dims)):
            p = self.prior(i, z[i + 1] if i + 1 < len(z) else None, codes_k)
            log_ratio = p.log_prob(z[i]) - q[i].log_prob(z[i])  # (kB,)
            log_weight = log_weight + log_ratio
            exact = self.inference == "top_down" or i == len(z) - 1
            rates.append(kl_divergence(q[i], p) if exact else -log_ratio)
        rate = torch.stack(rates)  # (L, kB)
        return {
            "elbo": log_px - rate.sum(0),
            "distortion": -log_px,
            "rate": rate,
            "log_weight": log_weight.view(n_samples, len(x)),
            "params": likelihood.params,
        }

    def decode_top(self, z_top: torch.Tensor, codes: torch.Tensor | None = None) -> torch.Tensor:
        """Follow the prior means from the top latent down to ``z_1``."""
        z = z_top
        for i in range(len(self.latent_dims) - 2, -1, -1):
            z = draw(self.prior(i, z, codes), None, noise=False)
        return z

    def sample_latents(
        self, n: int, codes: torch.Tensor | None, generator: torch.Generator | None
    ) -> torch.Tensor:
        """``z_1`` by ancestral sampling of the prior chain, ``(n, d_1)``."""
        top = len(self.latent_dims) - 1
        if self.class_means is not None:
            z = draw(self.prior(top, codes=codes), generator)
        else:
            z = draw(self.prior(top).expand(torch.Size([n])), generator)
        for i in range(top - 1, -1, -1):
            z = draw(self.prior(i, z, codes), generator)
        return z
