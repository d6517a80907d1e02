"""The GAN's networks: a small conditional DCGAN for images, MLPs for tables, in one container.

* :class:`ConvGenerator`: ``z`` (with the class embedding) -> a linear layer to a
  ``(2w, H/4, W/4)`` map -> two stride-2 transposed convolutions -> a 3x3 convolution with one
  channel per image channel; sides that are not a multiple of 4 are cropped.
* :class:`ConvDiscriminator`: three convolutions (two of stride 2) with LeakyReLU, a linear
  layer to the features ``phi(x)``.
* :class:`MLPGenerator` / :class:`MLPDiscriminator`: :func:`~genlab.nn.mlp.mlp` stacks.
* :class:`GANPair`: both networks in one ``nn.Module`` (so the trainer, checkpoints and the
  saved model hold them together), the output activations and the projection head.

Conditioning (Miyato & Koyama, 2018): the generator reads ``[z, e_G(c)]``; the discriminator
is a projection discriminator, ``D(x, c) = w^T phi(x) + b + e_D(c)^T phi(x)``, with
:class:`~genlab.nn.context.ClassEmbedding` tables ``e_G`` and ``e_D``.

References:
    Radford, A., Metz, L. & Chintala, S. (2016). Unsupervised representation learning with deep
        convolutional generative adversarial networks. ICLR.
    Miyato, T. & Koyama, M. (2018). cGANs with projection discriminator. ICLR.
    Jang, E., Gu, S. & Poole, B. (2017). Categorical reparameterization with Gumbel-softmax.
        ICLR.

Example:
    >>> import torch
    >>> config = {"architecture": "conv", "image_shape": [8, 8], "latent_dim": 4,
    ...           "hidden": 16, "depth": 1, "conv_width": 4, "n_classes": 3,
    ...           "gumbel_tau": 0.2, "layout": {"numeric": list(range(64)),
    ...           "n_categories": [], "bounded": True, "n_features": 64}}
    >>> pair = GANPair(config)
    >>> x = pair("g", torch.zeros(2, 4), torch.tensor([0, 2]))
    >>> x.shape, pair("d", x, torch.tensor([0, 2])).shape
    (torch.Size([2, 64]), torch.Size([2]))
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from genlab.nn.context import ClassEmbedding
from genlab.nn.conv import conv_geometry
from genlab.nn.mlp import mlp

_SLOPE = 0.2  # LeakyReLU slope of the discriminator (DCGAN's)


class ConvGenerator(nn.Module):
    """``(B, d_in)`` -> raw image outputs ``(B, H W C)`` in the schema's pixel order."""

    def __init__(self, image_shape: list[int], d_in: int, width: int) -> None:
        super().__init__()
        self.h, self.w, self.c, self.h4, self.w4 = conv_geometry(image_shape)
        self.width = width
        self.inp = nn.Sequential(nn.Linear(d_in, 2 * width * self.h4 * self.w4), nn.ReLU())
        self.convs = nn.Sequential(
            nn.ConvTranspose2d(2 * width, 2 * width, 4, stride=2, padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, self.c, 3, padding=1),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        grid = self.inp(z).view(len(z), 2 * self.width, self.h4, self.w4)
        img = self.convs(grid)[:, :, : self.h, : self.w]  # (B, C, H, W)
        return img.permute(0, 2, 3, 1).reshape(len(z), -1)  # rows read (h, w, c)


class ConvDiscriminator(nn.Module):
    """Images as rows ``(B, H W C)`` -> features ``phi(x)`` ``(B, hidden)``."""

    def __init__(self, image_shape: list[int], hidden: int, width: int) -> None:
        super().__init__()
        self.h, self.w, self.c, h4, w4 = conv_geometry(image_shape)
        self.convs = nn.Sequential(
            nn.Conv2d(self.c, width, 3, padding=1),
            nn.LeakyReLU(_SLOPE),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1),
            nn.LeakyReLU(_SLOPE),
            nn.Conv2d(2 * width, 2 * width, 4, stride=2, padding=1),
            nn.LeakyReLU(_SLOPE),
            nn.Flatten(),
            nn.Linear(2 * width * h4 * w4, hidden),
            nn.LeakyReLU(_SLOPE),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        img = x.view(len(x), self.h, self.w, self.c).permute(0, 3, 1, 2)  # (B, C, H, W)
        pad_h, pad_w = -self.h % 4, -self.w % 4
        img = F.pad(img, (0, pad_w, 0, pad_h)) if pad_h or pad_w else img
        return self.convs(img)


class MLPGenerator(nn.Module):
    """``(B, d_in)`` -> raw features ``(B, F)`` through an MLP."""

    def __init__(self, d_in: int, n_features: int, hidden: int, depth: int) -> None:
        super().__init__()
        self.body = mlp(d_in, hidden, depth)
        self.out = nn.Linear(hidden if depth else d_in, n_features)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.out(self.body(z))


class MLPDiscriminator(nn.Module):
    """Features ``(B, F)`` -> ``phi(x)`` ``(B, hidden)`` through an MLP."""

    def __init__(self, n_features: int, hidden: int, depth: int) -> None:
        super().__init__()
        self.body = mlp(n_features, hidden, max(depth, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class GANPair(nn.Module):
    """Generator ``g`` and discriminator ``d`` of one GAN, built from a JSON-able config.

    Called as ``pair("g", z, codes)`` it returns generated features (numeric features
    activated — tanh on images — and each categorical block a Gumbel-softmax of its logits,
    whose noise comes from torch's global generator); ``pair("d", x, codes)`` returns the
    discriminator's logits ``(B,)``. ``codes`` is None for an unconditional GAN. The trainer
    calls the pair (its ``forward``) so that DDP sees both networks' passes.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.layout, self.tau = config["layout"], float(config["gumbel_tau"])
        d_z, hidden = int(config["latent_dim"]), int(config["hidden"])
        self.latent_dim = d_z
        n_classes = int(config["n_classes"])
        self.embed_g = ClassEmbedding(n_classes, d_z) if n_classes else None
        self.embed_d = ClassEmbedding(n_classes, hidden) if n_classes else None
        d_in = d_z * (2 if n_classes else 1)
        if config["architecture"] == "conv":
            shape, width = list(config["image_shape"]), int(config["conv_width"])
            self.g = ConvGenerator(shape, d_in, width)
            self.d = ConvDiscriminator(shape, hidden, width)
        else:
            n_features, depth = int(self.layout["n_features"]), int(config["depth"])
            self.g = MLPGenerator(d_in, n_features, hidden, depth)
            self.d = MLPDiscriminator(n_features, hidden, depth)
        self.d_out = nn.Linear(hidden, 1)

    def generator_parameters(self) -> list[nn.Parameter]:
        """What the generator's optimizer updates (with the generator's class table)."""
        extra = [] if self.embed_g is None else list(self.embed_g.parameters())
        return [*self.g.parameters(), *extra]

    def discriminator_parameters(self) -> list[nn.Parameter]:
        """What the discriminator's optimizer updates (with the projection table)."""
        extra = [] if self.embed_d is None else list(self.embed_d.parameters())
        return [*self.d.parameters(), *self.d_out.parameters(), *extra]

    def forward(self, role: str, x: torch.Tensor, codes: torch.Tensor | None) -> torch.Tensor:
        if role == "g":
            return self.activate(self.raw(x, codes), relax=True)
        phi = self.d(x)  # (B, hidden)
        logit = self.d_out(phi)[:, 0]
        if self.embed_d is not None:
            logit = logit + (self.embed_d(codes) * phi).sum(-1)  # the projection term
        return logit

    def raw(self, z: torch.Tensor, codes: torch.Tensor | None) -> torch.Tensor:
        """The generator's raw outputs ``(B, F)``: numeric pre-activations, category logits."""
        if self.embed_g is not None:
            z = torch.cat([z, self.embed_g(codes)], dim=-1)
        return self.g(z)

    def activate(self, raw: torch.Tensor, relax: bool) -> torch.Tensor:
        """Numeric features through their activation; category logits through a
        Gumbel-softmax (``relax``) or left as logits (their argmax is the decoded code)."""
        n_numeric = len(self.layout["numeric"])
        numeric = raw[:, :n_numeric]
        parts = [torch.tanh(numeric) if self.layout["bounded"] else numeric]
        start = n_numeric
        for size in self.layout["n_categories"]:
            logits = raw[:, start : start + size]
            parts.append(F.gumbel_softmax(logits, tau=self.tau) if relax else logits)
            start += size
        return torch.cat(parts, dim=-1)
