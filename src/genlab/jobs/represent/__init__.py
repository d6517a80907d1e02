"""Representations: encode data to latents z, decode them, walk between two examples, and do
latent arithmetic with attribute vectors.

The latent variables z of a model are the causes of x: fewer numbers than x, arranged so that
nearby codes decode to similar data. This module gives every latent family one vocabulary, and
only calls the public model interface (a job never imports a family):

==========================  =================================================================
family                      what ``encode`` returns
==========================  =================================================================
VAE / HierarchicalVAE       posterior means of the (top) latent, ``(N, latent_dim)``
Flow                        the bijective code ``z = f(x)``, ``(N, D)``
GaussianMixture             cluster posteriors ``p(k | x)``, ``(N, K)`` (no ``decode``)
==========================  =================================================================

Interpolation is in latent space, by the model's own ``interpolate``: ``"slerp"`` follows the
great circle, which keeps the norm of a Gaussian code typical (a straight line between two
typical codes passes through the low-norm middle that the prior rarely visits); ``"lerp"`` is
the straight line (:func:`~genlab.nn.interpolation.latent_path`, re-exported here).

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

from typing import Any

import numpy as np

from genlab.core.errors import CapabilityError, InputError
from genlab.nn.interpolation import METHODS, latent_path

__all__ = ["METHODS", "attribute_vector", "decode", "encode", "interpolate", "latent_path"]


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
    _check_decodes(model)
    return model.decode(Z) if condition is None else model.decode(Z, condition)


def interpolate(
    model: Any,
    x0: Any,
    x1: Any,
    steps: int = 8,
    method: str = "slerp",
    condition: Any = None,
) -> Any:
    """Decode ``steps`` points on the latent path between two examples (first ≈ x0, last ≈ x1):
    the model's own ``interpolate``, with a clear error for codes that do not decode.

    Args:
        model: a fitted model with latents (VAE, HierarchicalVAE, Flow, or an Auto of one).
        x0, x1: one example each: an image ``(H, W)``, a row, or a one-row DataFrame.
        steps: number of points, ends included (>= 2).
        method: ``"slerp"`` (great circle) or ``"lerp"`` (straight line).
        condition: one class label, for a model fitted with labels.
    """
    _check_decodes(model)
    return model.interpolate(x0, x1, steps, method=method, condition=condition)


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


def _check_decodes(model: Any) -> None:
    """CapabilityError for a model whose codes are cluster posteriors (no decoder)."""
    if "latent" not in model.capabilities and hasattr(model, "cluster_posteriors"):
        raise CapabilityError(
            f"{type(model).__name__} encodes to cluster posteriors, which do not decode to "
            "data; families with a decoder: VAE, HierarchicalVAE, Flow"
        )
