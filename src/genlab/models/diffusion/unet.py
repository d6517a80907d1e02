"""The denoiser for small images: a two-level U-Net with the step/class context added to
every residual block (as in DDPM's U-Net, without attention: 8x8 digits need none).

Rows arrive flat ``(B, H*W*C)`` in the schema's order (channels last) and leave the same way.

Example:
    >>> import torch
    >>> net = UNet({"image_shape": [8, 8], "width": 16, "emb_dim": 32, "n_classes": 10})
    >>> net(torch.zeros(2, 64), torch.tensor([3, 7]), torch.tensor([1, -1])).shape
    torch.Size([2, 64])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from genlab.models.diffusion.embedding import StepContext, image_context
from genlab.nn.conv import conv_geometry


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(min(8, channels), channels)


class ResBlock(nn.Module):
    """Two 3x3 convolutions with the context added in between, plus a skip connection."""

    def __init__(self, c_in: int, c_out: int, emb_dim: int) -> None:
        super().__init__()
        self.norm1, self.conv1 = _norm(c_in), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(emb_dim, c_out)
        self.norm2, self.conv2 = _norm(c_out), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, h: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        out = self.conv1(F.silu(self.norm1(h)))  # (B, c_out, H, W)
        out = out + self.emb(F.silu(emb))[:, :, None, None]
        out = self.conv2(F.silu(self.norm2(out)))
        return self.skip(h) + out


class UNet(nn.Module):
    """``eps(x_t, t, c)`` on images; config keys ``image_shape`` ([H, W] or [H, W, C]),
    ``width`` (channels at full resolution; twice that at half), ``emb_dim``, ``n_classes``,
    ``image_condition`` (true: ``c`` is an upsampled image condition, see
    :func:`~genlab.models.diffusion.embedding.image_context`)."""

    def __init__(self, config: dict) -> None:
        super().__init__()
        height, width_px, self.channels, _, _ = conv_geometry(list(config["image_shape"]))
        self.hw = (height, width_px)
        w, e = int(config["width"]), int(config["emb_dim"])
        self.context = StepContext(e, int(config["n_classes"]))
        # an image condition: its upsampled channels and a "present" channel
        self.image_condition = bool(config.get("image_condition"))
        extra = self.channels + 1 if self.image_condition else 0
        self.conv_in = nn.Conv2d(self.channels + extra, w, 3, padding=1)
        self.down1 = ResBlock(w, w, e)
        self.pool = nn.Conv2d(w, 2 * w, 3, stride=2, padding=1)
        self.down2 = ResBlock(2 * w, 2 * w, e)
        self.mid = ResBlock(2 * w, 2 * w, e)
        self.up = ResBlock(3 * w, w, e)
        self.norm_out = _norm(w)
        self.conv_out = nn.Conv2d(w, self.channels, 3, padding=1)

    def forward(
        self, x: torch.Tensor, t: torch.Tensor, codes: torch.Tensor | None = None
    ) -> torch.Tensor:
        img = x.reshape(len(x), *self.hw, self.channels)  # (B, H, W, C)
        if self.image_condition:
            ctx = image_context(codes, len(x), x.shape[1])  # (B, H*W*C + 1)
            present = ctx[:, -1, None, None, None].expand(-1, *self.hw, 1)
            img = torch.cat([img, ctx[:, :-1].reshape(img.shape), present], dim=3)
            codes = None
        emb = self.context(t, codes)  # (B, e)
        img = img.permute(0, 3, 1, 2)  # (B, C', H, W)
        h1 = self.down1(self.conv_in(img), emb)  # (B, w, H, W)
        h2 = self.mid(self.down2(self.pool(h1), emb), emb)  # (B, 2w, H/2, W/2)
        h2 = F.interpolate(h2, size=h1.shape[-2:], mode="nearest")
        h = self.up(torch.cat([h1, h2], dim=1), emb)  # (B, w, H, W)
        out = self.conv_out(F.silu(self.norm_out(h)))
        return out.permute(0, 2, 3, 1).reshape(len(x), -1)
