"""Representations: encode data to latents z, decode them, walk between two examples, and do
latent arithmetic with attribute vectors.

The latent variables z of a model are the causes of x: fewer numbers than x, arranged so that
nearby codes decode to similar data. This module gives every latent family one vocabulary, and
only calls model methods (DESIGN.md: a task never imports a family):

==========================  =================================================================
family                      what ``encode`` returns
==========================  =================================================================
VAE / HierarchicalVAE       posterior means of the (top) latent, ``(N, latent_dim)``
Flow                        the bijective code ``z = f(x)``, ``(N, D)``
GaussianMixture             cluster posteriors ``p(k | x)``, ``(N, K)`` (no ``decode``)
==========================  =================================================================

Interpolation is in latent space: ``"slerp"`` follows the great circle, which keeps the norm
of a Gaussian code typical (a straight line between two typical codes passes through the
low-norm middle that the prior rarely visits); ``"lerp"`` is the straight line.

Example:
    >>> import numpy as np, genlab
    >>> digits = genlab.load_dataset("digits").subset(np.arange(200))
    >>> vae = genlab.VAE(latent_dim=2, hidden=32, max_epochs=2, progress=False).fit(digits)
    >>> encode(vae, digits.X[:5]).shape
    (5, 2)
    >>> interpolate(vae, digits.X[0], digits.X[1], steps=4).shape
    (4, 8, 8)
    >>> attribute_vector(vae, digits.X, digits.y, label=3).shape
    (2,)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from genlab.core.errors import CapabilityError, InputError
from genlab.data.datasets import pair_of_examples

METHODS = ("slerp", "lerp")


def encode(model: Any, X: Any, condition: Any = None) -> np.ndarray:
    """Latent codes of ``X``, ``(N, d)`` (see the module docstring for what each family gives).

    Args:
        model: a fitted genlab model with latents (or a GaussianMixture: cluster posteriors).
        X: data in the model's training format.
        condition: class label(s), for a model fitted with labels.
    """
    if "latent" not in model.capabilities and hasattr(model, "cluster_posteriors"):
        return model.cluster_posteriors(X, condition=condition)
    try:  # the family's own encode (Auto delegates to the family it chose)
        Z = model.encode(X) if condition is None else model.encode(X, condition)
    except CapabilityError as e:
        raise CapabilityError(f"{e}; GaussianMixture encodes to cluster posteriors") from None
    return np.asarray(Z)


def decode(model: Any, Z: Any, condition: Any = None) -> Any:
    """Data (the model's container and types) decoded from latent codes ``Z`` ``(N, d)``."""
    if "latent" not in model.capabilities and hasattr(model, "cluster_posteriors"):
        raise CapabilityError(
            f"{type(model).__name__} encodes to cluster posteriors, which do not decode to "
            "data; families with a decoder: VAE, HierarchicalVAE, Flow"
        )
    return model.decode(Z) if condition is None else model.decode(Z, condition)


def latent_path(
    z0: np.ndarray, z1: np.ndarray, steps: int = 8, method: str = "slerp"
) -> np.ndarray:
    """``steps`` points from ``z0`` to ``z1`` (ends included), ``(steps, d)``.

    Example:
        >>> latent_path(np.array([1.0, 0.0]), np.array([0.0, 1.0]), steps=3).round(3)
        array([[1.   , 0.   ],
               [0.707, 0.707],
               [0.   , 1.   ]])
    """
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


def interpolate(
    model: Any,
    x0: Any,
    x1: Any,
    steps: int = 8,
    method: str = "slerp",
    condition: Any = None,
) -> Any:
    """Decode ``steps`` points on the latent path between two examples (first ≈ x0, last ≈ x1).

    Args:
        model: a fitted model with ``encode`` and ``decode`` (VAE, HierarchicalVAE, Flow).
        x0, x1: one example each: an image ``(H, W)``, a row, or a one-row DataFrame.
        steps: number of points, ends included (>= 2).
        method: ``"slerp"`` (great circle) or ``"lerp"`` (straight line).
        condition: one class label, for a model fitted with labels.
    """
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}")
    ends = encode(model, _pair(model, x0, x1), condition)  # (2, d)
    path = latent_path(ends[0], ends[1], steps, method)
    return decode(model, path, condition)


def attribute_vector(model: Any, X: Any, y: Any, label: Any, condition: Any = None) -> np.ndarray:
    """Mean latent of the rows labelled ``label`` minus the mean latent of all rows, ``(d,)``.

    Adding it to a code moves it towards ``label`` (latent arithmetic):
    ``decode(model, encode(model, x) + attribute_vector(model, X, y, 7))``.
    """
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y).reshape(-1)
    Z = encode(model, X, condition)
    if len(y) != len(Z):
        raise InputError(f"y has {len(y)} labels for {len(Z)} rows")
    chosen = y == label
    if not chosen.any():
        raise InputError(f"no row has label {label!r}; labels: {sorted(set(y.tolist()))}")
    return Z[chosen].mean(axis=0) - Z.mean(axis=0)


def _pair(model: Any, x0: Any, x1: Any) -> Any:
    """Two single examples as one two-row input in the model's training format."""
    return pair_of_examples(x0, x1, tuple(model.schema_.image_shape or (model.n_features_in_,)))
