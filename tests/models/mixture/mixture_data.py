"""Data and parameters shared by the tests of the mixture's EM core."""

from __future__ import annotations

import numpy as np

from genlab.models.mixture.params import MixtureParams


def blobs(rng, centers, n_per, scale=1.0):
    """Isotropic Gaussian blobs of ``n_per`` rows each, and their labels."""
    centers = np.asarray(centers, dtype=float)
    X = np.concatenate([rng.normal(c, scale, (n_per, len(c))) for c in centers])
    return X, np.repeat(np.arange(len(centers)), n_per)


def random_params(rng, K=2, D=4, covariance_type="full", n_categories=(3,)):
    """Random mixture parameters with well-conditioned covariances."""
    means = rng.normal(0, 2, (K, D))
    if covariance_type == "full":
        A = rng.normal(size=(K, D, D))
        cov = A @ A.transpose(0, 2, 1) / D + 0.3 * np.eye(D)
    else:
        cov = rng.uniform(0.3, 2.0, (K, D))
    cat = [rng.dirichlet(np.ones(c), size=K) for c in n_categories]
    return MixtureParams(rng.dirichlet(np.ones(K) * 3), means, cov, covariance_type, cat)


def mcar(rng, X, frac):
    """``X`` with entries hidden (NaN) completely at random, every row keeping one."""
    hidden = rng.random(X.shape) < frac
    hidden[hidden.all(axis=1), 0] = False  # keep every row observed somewhere
    return np.where(hidden, np.nan, X)


def full_covariances(params):
    """The covariances as (K, D, D) matrices, whatever the covariance type."""
    cov = params.covariances
    return cov if params.covariance_type == "full" else np.stack([np.diag(v) for v in cov])


def ppca_data(rng, n=400, D=6, q=2):
    """Two components, each W Wᵀ + 0.1 I with W of rank q."""
    W = rng.normal(size=(2, D, q))
    z = rng.normal(size=(n, q))
    side = rng.random(n) < 0.5
    X = np.where(side[:, None], 3.0 + z @ W[0].T, -3.0 + z @ W[1].T)
    return X + np.sqrt(0.1) * rng.normal(size=(n, D))
