"""Probes of a representation: how much a latent code says about the class, and how well it
reconstructs; :func:`rmse`, the error measure reconstructions and imputations share.

The protocol is the usual linear/kNN evaluation of representation learning: fit a simple
classifier on the training latents, report its accuracy on the test latents. The logistic probe
standardizes the latents first (so the prior's scale does not matter); the kNN probe uses plain
Euclidean distance in the latent space, which is what a 2-D latent map shows.

Example:
    >>> import numpy as np
    >>> Z = np.r_[np.zeros((20, 2)), np.ones((20, 2))]; y = np.r_[np.zeros(20), np.ones(20)]
    >>> probe_accuracy(Z, y, Z, y), knn_probe_accuracy(Z, y, Z, y)
    (1.0, 1.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.core.errors import InputError


def _check(Z_train: np.ndarray, y_train: np.ndarray, Z_test: np.ndarray, y_test: np.ndarray):
    Z_train, Z_test = np.asarray(Z_train, np.float64), np.asarray(Z_test, np.float64)
    y_train, y_test = np.asarray(y_train).reshape(-1), np.asarray(y_test).reshape(-1)
    if Z_train.ndim != 2 or Z_test.ndim != 2 or Z_train.shape[1] != Z_test.shape[1]:
        raise InputError(f"latents must be (N, d) with one d; got {Z_train.shape}, {Z_test.shape}")
    if len(Z_train) != len(y_train) or len(Z_test) != len(y_test):
        raise InputError("each latent row needs one label")
    if not (np.isfinite(Z_train).all() and np.isfinite(Z_test).all()):
        raise InputError("latents hold NaN or infinite values")
    return Z_train, y_train, Z_test, y_test


def probe_accuracy(
    Z_train: np.ndarray, y_train: np.ndarray, Z_test: np.ndarray, y_test: np.ndarray
) -> float:
    """Test accuracy of a logistic regression fitted on standardized training latents."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    Z_train, y_train, Z_test, y_test = _check(Z_train, y_train, Z_test, y_test)
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    return float(probe.fit(Z_train, y_train).score(Z_test, y_test))


def knn_probe_accuracy(
    Z_train: np.ndarray,
    y_train: np.ndarray,
    Z_test: np.ndarray,
    y_test: np.ndarray,
    n_neighbors: int = 5,
) -> float:
    """Test accuracy of a ``n_neighbors``-nearest-neighbour classifier on the training latents."""
    from sklearn.neighbors import KNeighborsClassifier

    Z_train, y_train, Z_test, y_test = _check(Z_train, y_train, Z_test, y_test)
    knn = KNeighborsClassifier(n_neighbors=min(n_neighbors, len(Z_train)))
    return float(knn.fit(Z_train, y_train).score(Z_test, y_test))


def rmse(estimate: Any, truth: Any, mask: np.ndarray | None = None) -> float:
    """Root mean squared error, over the entries where ``mask`` is True (all without one).

    Example:
        >>> rmse(np.array([1.0, 4.0]), np.array([1.0, 2.0]), np.array([False, True]))
        2.0
        >>> rmse(np.array([1.0, 5.0]), np.array([1.0, 2.0]))
        2.1213203435596424
    """
    a, b = np.asarray(estimate, np.float64), np.asarray(truth, np.float64)
    diff = a - b if mask is None else a[mask] - b[mask]
    return float(np.sqrt(np.mean(diff**2)))


def recon_rmse(X: np.ndarray, X_reconstructed: np.ndarray) -> float:
    """Root mean squared error between data and its reconstruction, in the data's units.

    Example:
        >>> recon_rmse(np.zeros((2, 8, 8)), np.ones((2, 8, 8)))
        1.0
    """
    a, b = np.asarray(X, np.float64), np.asarray(X_reconstructed, np.float64)
    if a.shape != b.shape:
        raise InputError(f"reconstruction has shape {b.shape}, data {a.shape}")
    return rmse(a, b)
