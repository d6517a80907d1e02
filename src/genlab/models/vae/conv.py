"""The convolutional encoder and decoder of a VAE on images (``architecture="conv"``).

The encoder reads an image's values and its observed mask as ``2C`` channels, downsamples
twice by stride-2 convolutions and ends in a linear layer; the decoder mirrors it and emits,
for every pixel, the parameters that :class:`~genlab.nn.heads.ColumnHeads` reads. Sides that
are not a multiple of 4 are padded (encoder) or cropped (decoder).

Example:
    >>> import torch
    >>> enc = ConvEncoder([8, 8], hidden=16, n_classes=0, width=4)
    >>> enc(torch.zeros(2, 2 * 64), torch.zeros(2, 0)).shape
    torch.Size([2, 16])
    >>> ConvDecoder([7, 5], d_in=3, per_pixel=6, width=4)(torch.zeros(2, 3)).shape
    torch.Size([2, 210])
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from genlab.nn.conv import conv_geometry


class ConvEncoder(nn.Module):
    """Two stride-2 convolutions over (values, mask) channels, then a linear layer."""

    def __init__(self, image_shape: list[int], hidden: int, n_classes: int, width: int) -> None:
        super().__init__()
        self.h, self.w, self.c, h4, w4 = conv_geometry(image_shape)
        self.convs = nn.Sequential(
            nn.Conv2d(2 * self.c, width, 3, padding=1),
            nn.SiLU(),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1),
            nn.SiLU(),
            nn.Conv2d(2 * width, 2 * width, 4, stride=2, padding=1),
            nn.SiLU(),
            nn.Flatten(),
        )
        self.out = nn.Sequential(nn.Linear(2 * width * h4 * w4 + n_classes, hidden), nn.SiLU())

    def forward(self, feats: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """Features ``(B, hidden)`` of encoder inputs ``feats (B, 2 H W C)`` and the class
        context ``(B, n_classes)``."""
        # feats = [values (H*W*C), mask (H*W*C)]: image containers have no categorical columns
        img = feats.view(len(feats), 2, self.h, self.w, self.c).permute(0, 1, 4, 2, 3)
        img = img.reshape(len(feats), 2 * self.c, self.h, self.w)  # (B, 2C, H, W)
        pad_h, pad_w = -self.h % 4, -self.w % 4
        img = F.pad(img, (0, pad_w, 0, pad_h)) if pad_h or pad_w else img
        return self.out(torch.cat([self.convs(img), context], dim=-1))


class ConvDecoder(nn.Module):
    """A linear layer to a (H/4, W/4) map, two stride-2 transposed convolutions, a 3x3 conv
    with the heads' parameters of every pixel as channels."""

    def __init__(self, image_shape: list[int], d_in: int, per_pixel: int, width: int) -> None:
        super().__init__()
        self.h, self.w, self.c, self.h4, self.w4 = conv_geometry(image_shape)
        self.width, self.per_pixel = width, per_pixel
        self.inp = nn.Sequential(nn.Linear(d_in, 2 * width * self.h4 * self.w4), nn.SiLU())
        self.convs = nn.Sequential(
            nn.ConvTranspose2d(2 * width, 2 * width, 4, stride=2, padding=1),
            nn.SiLU(),
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1),
            nn.SiLU(),
            nn.Conv2d(width, self.c * per_pixel, 3, padding=1),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """The heads' parameters ``(B, P)`` of latents (with context) ``z (B, d_in)``."""
        grid = self.inp(z).view(len(z), 2 * self.width, self.h4, self.w4)
        out = self.convs(grid)[:, :, : self.h, : self.w]  # (B, C * Pc, H, W)
        out = out.view(len(z), self.c, self.per_pixel, self.h, self.w)
        # the heads read column-major rows: pixel (h, w, c), then that column's parameters
        n_params = self.h * self.w * self.c * self.per_pixel
        return out.permute(0, 3, 4, 1, 2).reshape(len(z), n_params)  # (B, P)
