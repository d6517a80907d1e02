"""Image conditions: the small image a row is conditioned on, and super-resolution's
consistency with it.

A model fitted with ``condition=Condition.image(small)`` reads each condition image through
its nearest-neighbour upsampling to the data's size (``factor`` pixels per side of a condition
pixel), which the denoiser takes as extra input channels. With ``image_condition="pooled"``
(the default) the condition is the data average-pooled to its size — super-resolution — and
the samples keep it exactly:

* during sampling, every predicted clean image is projected onto the images whose block
  averages are the condition (add to each block the difference between its condition and
  its average: the range/null-space decomposition of Wang et al.'s DDNM, for the pooling
  operator, whose pseudo-inverse is nearest-neighbour upsampling);
* at the end, on an integer grid, each block's pixels are rounded so that their sum is the
  condition times the block's size (rounded): the nearest such grid image, found by moving
  the pixels with the largest rounding error one level each (:func:`repair_blocks`).

References:
    Saharia, C. et al. (2022). Image super-resolution via iterative refinement (SR3).
    Wang, Y., Yu, J. & Zhang, J. (2023). Zero-shot image restoration using denoising diffusion
        null-space model (DDNM). ICLR.

Example:
    >>> import numpy as np
    >>> grid = BlockGrid((4, 4), (2, 2))
    >>> x = np.arange(16.0).reshape(1, 16)
    >>> grid.pool(x).reshape(2, 2).tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    >>> grid.upsample(grid.pool(x)).reshape(4, 4)[0].tolist()
    [2.5, 2.5, 4.5, 4.5]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from genlab.core.errors import InputError

#: How a model reads its image conditions (see the module docstring).
IMAGE_CONDITIONS = ("pooled", "free")


class BlockGrid:
    """The blocks of an image ``image_shape`` ``(H, W[, C])`` under a condition of shape
    ``condition_shape`` ``(h, w[, C])``: ``H / h`` by ``W / w`` pixels per condition pixel.

    Rows are flat ``(N, H*W*C)`` and conditions flat ``(N, h*w*C)``, channels last.
    """

    def __init__(self, image_shape: tuple[int, ...], condition_shape: tuple[int, ...]) -> None:
        image_shape, condition_shape = tuple(image_shape), tuple(condition_shape)
        channels = image_shape[2:] or (1,)
        if (
            len(image_shape) != len(condition_shape)
            or image_shape[2:] != condition_shape[2:]
            or any(s % c for s, c in zip(image_shape[:2], condition_shape[:2], strict=True))
        ):
            raise InputError(
                f"an image condition must be the data's image {image_shape} shrunk by whole "
                f"factors per side with the same channels (e.g. (4, 4) for (8, 8) images); "
                f"got {condition_shape}"
            )
        self.shape = (*image_shape[:2], channels[0])  # (H, W, C)
        self.small = (*condition_shape[:2], channels[0])  # (h, w, C)
        self.factor = (image_shape[0] // condition_shape[0], image_shape[1] // condition_shape[1])

    @property
    def block_size(self) -> int:
        return self.factor[0] * self.factor[1]

    def blocks(self, x: np.ndarray) -> np.ndarray:
        """Rows ``(N, H*W*C)`` -> ``(N, h, w, C, fh*fw)``: each condition pixel's block."""
        (h, w, c), (fh, fw) = self.small, self.factor
        x = x.reshape(len(x), h, fh, w, fw, c)
        return x.transpose(0, 1, 3, 5, 2, 4).reshape(len(x), h, w, c, fh * fw)

    def unblocks(self, b: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`blocks`."""
        (h, w, c), (fh, fw) = self.small, self.factor
        b = b.reshape(len(b), h, w, c, fh, fw).transpose(0, 1, 4, 2, 5, 3)
        return b.reshape(len(b), -1)

    def pool(self, x: np.ndarray) -> np.ndarray:
        """Average pooling: ``(N, H*W*C)`` -> ``(N, h*w*C)``."""
        return self.blocks(x).mean(axis=-1).reshape(len(x), -1)

    def upsample(self, y: np.ndarray) -> np.ndarray:
        """Nearest-neighbour upsampling: ``(N, h*w*C)`` -> ``(N, H*W*C)``."""
        b = np.repeat(np.asarray(y, dtype=np.float64)[..., None], self.block_size, axis=-1)
        return self.unblocks(b)

    def projector(
        self, target: np.ndarray, center: torch.Tensor, scale: torch.Tensor
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """``x0 -> x0'`` in the diffusion space (``x = (data - center) / scale`` per dim) whose
        block averages in data units are ``target`` ``(N, h*w*C)``."""
        target_up = torch.as_tensor(self.upsample(target))  # (N, D) data units

        def project(x0: torch.Tensor) -> torch.Tensor:
            data = x0.double() * scale + center  # (N, D)
            pooled = torch.as_tensor(self.pool(data.numpy()))
            delta = target_up - torch.as_tensor(self.upsample(pooled.numpy()))
            return ((data + delta - center) / scale).to(x0.dtype)

        return project


def repair_blocks(
    grid: BlockGrid, x: np.ndarray, target: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """The integer images nearest ``x`` ``(N, H*W*C)`` (within ``low``/``high`` per pixel)
    whose block sums are ``target`` ``(N, h*w*C)`` times the block size, rounded (as close as
    the bounds allow).

    Example:
        >>> grid = BlockGrid((2, 2), (1, 1))
        >>> repair_blocks(grid, np.array([[0.4, 0.4, 0.4, 0.4]]), np.array([[0.5]]),
        ...               np.zeros(4), np.full(4, 16.0)).tolist()
        [[1.0, 1.0, 0.0, 0.0]]
    """
    k = grid.block_size
    v = grid.blocks(x)  # (N, h, w, C, k)
    lo, hi = grid.blocks(low[None])[0], grid.blocks(high[None])[0]  # (h, w, C, k)
    r = np.clip(np.round(v), lo, hi)
    need = np.round(np.asarray(target).reshape(v.shape[:-1]) * k) - r.sum(axis=-1)  # (N,h,w,C)
    for _ in range(int(np.abs(need).max(initial=0))):  # one level per pixel and pass
        up, down = need > 0, need < 0
        if not (up.any() or down.any()):
            break
        # raise the pixels rounded down the most (lower first), lower those rounded up most
        room_up = np.where(r < hi, v - r, -np.inf)
        room_down = np.where(r > lo, r - v, -np.inf)
        order_up = np.argsort(-room_up, axis=-1, kind="stable")
        order_down = np.argsort(-room_down, axis=-1, kind="stable")
        rank = np.arange(k)
        step_up = np.zeros_like(r)
        step_down = np.zeros_like(r)
        np.put_along_axis(step_up, order_up, (rank < need[..., None]).astype(float), axis=-1)
        np.put_along_axis(step_down, order_down, (rank < -need[..., None]).astype(float), -1)
        step_up *= (r < hi) & up[..., None]
        step_down *= (r > lo) & down[..., None]
        r = r + step_up - step_down
        need = need - step_up.sum(axis=-1) + step_down.sum(axis=-1)
    return grid.unblocks(r)
