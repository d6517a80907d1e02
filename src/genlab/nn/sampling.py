"""Sampling helpers shared by every family: one categorical draw, one bridge from numpy's
random generators to torch's.

The categorical draw inverts the cumulative sum with ``cdf <= u`` for ``u`` uniform on
``[0, total)``: category ``k`` is drawn when ``cdf[k-1] <= u < cdf[k]``, an interval of width
``p[k]``, so a category of probability zero is never drawn, not even for ``u = 0`` (which
``cdf < u`` would map to category 0 whatever its probability). Rounding can leave ``u`` at or
past the last cumulative value; such a draw goes to the last category of positive probability.

Example:
    >>> import numpy as np
    >>> draws = draw_categorical(np.tile([0.0, 0.7, 0.0, 0.3], (1000, 1)), np.random.default_rng(0))
    >>> sorted(set(draws.tolist())), bool(0.65 < np.mean(draws == 1) < 0.75)
    ([1, 3], True)
"""

from __future__ import annotations

import numpy as np
import torch


def draw_categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of ``probs`` ``(N, C)`` (unnormalized weights are fine); ``(N,)`` codes."""
    return categorical_from_uniform(probs, rng.random((len(probs), 1)))


def categorical_from_uniform(probs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The categories that uniforms ``u`` ``(N, 1)`` on ``[0, 1)`` select from ``probs`` ``(N, C)``.

    Example:
        >>> categorical_from_uniform(np.array([[0.0, 0.5, 0.5]]), np.zeros((1, 1)))
        array([1])
    """
    cdf = np.cumsum(probs, axis=1)  # (N, C)
    codes = (cdf <= u * cdf[:, -1:]).sum(axis=1)
    last_positive = probs.shape[1] - 1 - np.argmax(probs[:, ::-1] > 0, axis=1)
    return np.minimum(codes, last_positive)


def torch_generator(rng: np.random.Generator) -> torch.Generator:
    """A torch generator seeded from a numpy one, so that ``random_state`` drives torch too."""
    return torch.Generator().manual_seed(int(rng.integers(2**63 - 1)))


def seeded_generator(seed: int | None) -> torch.Generator:
    """A torch generator seeded with ``seed`` (0 when None): weight init and training noise."""
    return torch.Generator().manual_seed(0 if seed is None else int(seed))
