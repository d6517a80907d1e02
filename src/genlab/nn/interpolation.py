"""Paths between two latent points: the great circle (``slerp``) and the straight line (``lerp``).

``slerp`` suits Gaussian latents: the straight line between two typical points passes near the
origin, where a Gaussian puts little mass per volume, while the arc keeps the norm near the
typical radius. Parallel (or tiny) codes have no arc; their path is the line.

Example:
    >>> import numpy as np
    >>> latent_path(np.array([1.0, 0.0]), np.array([0.0, 1.0]), steps=3).round(3)
    array([[1.   , 0.   ],
           [0.707, 0.707],
           [0.   , 1.   ]])
    >>> latent_path(np.zeros(2), np.ones(2), steps=3, method="lerp").tolist()
    [[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]]
"""

from __future__ import annotations

import math

import numpy as np

from genlab.core.errors import InputError

METHODS = ("slerp", "lerp")


def latent_path(
    z0: np.ndarray, z1: np.ndarray, steps: int = 8, method: str = "slerp"
) -> np.ndarray:
    """``steps`` points from ``z0`` to ``z1`` (ends included), ``(steps, d)``."""
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}")
    if not isinstance(steps, int | np.integer) or isinstance(steps, bool) or steps < 2:
        raise InputError(f"steps must be an integer >= 2, got {steps!r}")
    z0, z1 = np.asarray(z0, np.float64).reshape(-1), np.asarray(z1, np.float64).reshape(-1)
    if z0.shape != z1.shape:
        raise InputError(f"the two codes differ in size: {z0.shape} and {z1.shape}")
    t = np.linspace(0.0, 1.0, int(steps))[:, None]  # (steps, 1)
    norms = np.linalg.norm(z0) * np.linalg.norm(z1)
    cos = float(z0 @ z1 / norms) if norms > 1e-12 else 1.0
    omega = math.acos(min(max(cos, -1.0), 1.0))
    if method == "lerp" or omega < 1e-6:  # parallel codes: the arc is the line
        return (1 - t) * z0 + t * z1
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / math.sin(omega)
