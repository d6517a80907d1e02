"""Units of likelihood: nats per example to bits per dimension, in one place.

Example:
    >>> import numpy as np
    >>> float(bits_per_dim(np.array([-np.log(2) * 4]), n_dims=2)[0])
    2.0
    >>> float(nats_to_bits(np.log(2) * 3))
    3.0
"""

from __future__ import annotations

import math

import numpy as np


def bits_per_dim(log_prob: np.ndarray, n_dims: int) -> np.ndarray:
    """``-log p`` (nats per example) as bits per dimension, elementwise."""
    return -np.asarray(log_prob, dtype=np.float64) / (n_dims * math.log(2))


def nats_to_bits(nats: float | np.ndarray) -> float | np.ndarray:
    """An amount of information in nats as bits."""
    return nats / math.log(2)
