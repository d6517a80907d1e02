"""Shared pieces of the convolutional networks (VAE, GAN, diffusion U-Net).

Example:
    >>> conv_geometry([8, 8])
    (8, 8, 1, 2, 2)
    >>> conv_geometry([10, 6, 3])
    (10, 6, 3, 3, 2)
"""

from __future__ import annotations


def conv_geometry(image_shape: list[int]) -> tuple[int, int, int, int, int]:
    """(H, W, C, H/4, W/4) with the sides rounded up to a multiple of 4: the grid two stride-2
    convolutions leave, and that two stride-2 transposed convolutions start from."""
    h, w = image_shape[:2]
    c = image_shape[2] if len(image_shape) > 2 else 1
    return h, w, c, -(-h // 4), -(-w // 4)
