"""Image grids: many small images tiled into one picture, levels stretched to 0..255.

Example:
    >>> import numpy as np
    >>> grid = image_grid(np.zeros((10, 8, 8)), levels=(0, 16), ncols=5, scale=2)
    >>> grid.shape, grid.dtype
    ((38, 92, 3), dtype('uint8'))
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from genlab.core.errors import InputError


def image_grid(
    images: np.ndarray,
    *,
    levels: tuple[float, float] = (0, 255),
    ncols: int | None = None,
    scale: int = 4,
    pad: int = 1,
) -> np.ndarray:
    """Tile ``images`` (N, H, W[, C]) row by row into one uint8 picture with a light border.

    Args:
        images: the images; NaN (missing) pixels are drawn mid-red so holes stay visible.
        levels: the value range of the pixels (mapped to 0..255).
        ncols: images per row (default: about square).
        scale: each pixel becomes ``scale x scale`` pixels (8x8 digits are tiny).
        pad: border width in output pixels, before scaling.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim not in (3, 4) or len(images) == 0:
        raise InputError(f"image_grid needs images of shape (N, H, W[, C]), got {images.shape}")
    if images.ndim == 3:
        images = images[..., None]
    n, h, w, c = images.shape
    lo, hi = levels
    scaled = np.clip((images - lo) / max(hi - lo, 1e-12), 0, 1) * 255
    rgb = np.repeat(scaled, 3, axis=-1) if c == 1 else scaled[..., :3]
    holes = np.isnan(images).any(axis=-1)
    rgb[holes] = (200, 40, 40)
    ncols = ncols or int(np.ceil(np.sqrt(n)))
    nrows = int(np.ceil(n / ncols))
    grid = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, 3), 235.0)
    for k in range(n):
        r, q = divmod(k, ncols)
        top, left = pad + r * (h + pad), pad + q * (w + pad)
        grid[top : top + h, left : left + w] = rgb[k]
    grid = np.kron(grid, np.ones((scale, scale, 1)))
    return grid.astype(np.uint8)


def save_image_grid(path: str | Path, images: np.ndarray, **kwargs) -> Path:
    """Write :func:`image_grid` of ``images`` to a PNG file and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image_grid(images, **kwargs)).save(path)
    return path
