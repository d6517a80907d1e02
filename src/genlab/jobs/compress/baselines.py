"""The sizes a user gets from general-purpose compressors on the same images.

``gzip-9``, ``bz2-9``, ``xz-9e`` and ``zstd-19`` code the raw bytes (one byte per pixel, row
after row, image after image); ``png`` and ``webp-lossless`` (Pillow) code the mosaic of the
images as one 8-bit grayscale picture, side by side in a near-square grid, which lets them
see neighbouring pixels. The values are stored as they are (0..16 for digits): these coders
do not know the grid, which is part of what a model learns.

Example:
    >>> import numpy as np
    >>> images = np.random.default_rng(0).integers(0, 17, size=(10, 8, 8))
    >>> sizes = standard_sizes(images)
    >>> sorted(sizes), all(v > 0 for v in sizes.values())
    (['bz2-9', 'gzip-9', 'png', 'webp-lossless', 'xz-9e', 'zstd-19'], True)
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import math

import numpy as np

from genlab.core.errors import InputError


def standard_sizes(images: np.ndarray) -> dict[str, int]:
    """Bytes of ``images (N, H, W)`` (integers 0..255) under each standard compressor."""
    import zstandard
    from PIL import Image

    images = np.asarray(images)
    if images.ndim != 3 or images.size == 0:
        raise InputError(f"images must have shape (N, H, W), got {images.shape}")
    if (images < 0).any() or (images > 255).any() or (images != np.round(images)).any():
        raise InputError("images must hold integers 0..255")
    raw = images.astype(np.uint8).tobytes()
    sizes = {
        "gzip-9": len(gzip.compress(raw, compresslevel=9, mtime=0)),
        "bz2-9": len(bz2.compress(raw, compresslevel=9)),
        "xz-9e": len(lzma.compress(raw, preset=9 | lzma.PRESET_EXTREME)),
        "zstd-19": len(zstandard.ZstdCompressor(level=19).compress(raw)),
    }
    picture = Image.fromarray(mosaic(images.astype(np.uint8)), mode="L")
    for name, options in {
        "png": {"format": "PNG", "optimize": True},
        "webp-lossless": {"format": "WEBP", "lossless": True, "quality": 100, "method": 6},
    }.items():
        buffer = io.BytesIO()
        picture.save(buffer, **options)
        sizes[name] = len(buffer.getvalue())
    return sizes


def mosaic(images: np.ndarray) -> np.ndarray:
    """``(N, H, W)`` images side by side in a grid of ``ceil(sqrt(N))`` columns (zero-padded).

    Example:
        >>> mosaic(np.ones((3, 2, 2))).shape
        (4, 4)
    """
    n, h, w = images.shape
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    grid = np.zeros((rows * cols, h, w), dtype=images.dtype)
    grid[:n] = images
    return grid.reshape(rows, cols, h, w).transpose(0, 2, 1, 3).reshape(rows * h, cols * w)
