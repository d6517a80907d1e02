"""The flow's starting point, fitted before training: a Gaussian per class, whose affine map
whitens the data, and a Gaussian mixture of the whitened data, which starts the base.

With the transforms starting as the identity, an untrained flow is this (shrunk) Gaussian
mixture; training then adds only the structure that the validation split supports.

Example:
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(100, 2)) * [1.0, 10.0]
    >>> loc, tril = fit_gaussians(X, None, 0, whiten=True)
    >>> Y = whiten_rows(X, None, loc, tril)
    >>> loc.shape, tril.shape, bool(np.allclose(Y.std(axis=0), 1.0, atol=0.1))
    ((1, 2), (1, 2, 2), True)
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.linalg import solve_triangular
from sklearn.covariance import ledoit_wolf
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import KFold, cross_val_score

from genlab.models.flow.network import FlowNetwork

_MAX_BASE_COMPONENTS = 5
_SELECTION_ROWS = 2000  # rows used to choose the number of base components
_BASE_REG = 0.1  # added to the base components' covariances (whitened units): a shrinkage


def fit_gaussians(
    X: np.ndarray, codes: np.ndarray | None, n_classes: int, whiten: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Mean (G, D) and Cholesky factor (G, D, D) of the data's shrunk covariance, per
    class (G = 1 without labels), in the user's units; diagonal unless ``whiten``."""
    std = X.std(axis=0)
    top = float(std.max())  # constant columns: a floor relative to the widest (any units)
    std = np.maximum(std, 1e-9 * top if top > 0 else 1.0)
    groups = [X] if codes is None else [X[codes == k] for k in range(n_classes)]
    locs, trils = [], []
    for rows in groups:
        rows = rows if len(rows) > 1 else X  # a class of one row: the pooled Gaussian
        locs.append(rows.mean(axis=0))
        trils.append(_scale_tril(rows, std, whiten))
    return np.stack(locs), np.stack(trils)


def _scale_tril(X: np.ndarray, std: np.ndarray, whiten: bool) -> np.ndarray:
    if not whiten or X.shape[1] == 1:
        return np.diag(np.maximum(X.std(axis=0), 1e-3 * std))
    cov = ledoit_wolf((X - X.mean(axis=0)) / std)[0]  # shrinkage: few rows per column
    ridge = 1e-9 * np.trace(cov) / len(cov)
    ridge = ridge if ridge > 0 else 1e-9  # every row the same: cov is 0; whitened units
    chol = np.linalg.cholesky(cov + ridge * np.eye(len(cov)))
    return std[:, None] * chol


def whiten_rows(
    X: np.ndarray, codes: np.ndarray | None, loc: np.ndarray, tril: np.ndarray
) -> np.ndarray:
    """``L_g^{-1} (x - mu_g)`` of every row with its class's affine map, (N, D)."""
    groups = np.zeros(len(X), np.int64) if codes is None else codes
    out = np.empty_like(X)
    for g in range(len(loc)):
        rows = groups == g
        out[rows] = solve_triangular(tril[g], (X[rows] - loc[g]).T, lower=True).T
    return out


def fit_base_mixture(
    Y: np.ndarray, components: int | None, rng: np.random.Generator
) -> GaussianMixture:
    """The base's starting point: a Gaussian mixture of the whitened data, with ``components``
    or the number in 1..``_MAX_BASE_COMPONENTS`` of best 5-fold held-out likelihood."""
    seed = int(rng.integers(2**31 - 1))

    def mixture(k: int) -> GaussianMixture:
        return GaussianMixture(k, reg_covar=_BASE_REG, n_init=2, random_state=seed)

    if components is None:
        candidates = range(1, min(_MAX_BASE_COMPONENTS, len(Y) // 10) + 1)
        folds = KFold(5, shuffle=True, random_state=seed)
        rows = Y[rng.permutation(len(Y))[:_SELECTION_ROWS]]  # the choice is stable by then
        scores = [cross_val_score(mixture(k), rows, cv=folds).mean() for k in candidates]
        components = candidates[int(np.argmax(scores))] if len(scores) else 1
    return mixture(int(components)).fit(Y)


def set_affine(network: FlowNetwork, loc: np.ndarray, tril: np.ndarray) -> None:
    """Write the whitening Gaussians (``fit_gaussians``) into the network's buffers."""
    with torch.no_grad():
        network.loc.copy_(torch.as_tensor(loc))
        network.scale_tril.copy_(torch.as_tensor(tril))


def set_base(network: FlowNetwork, mixture: GaussianMixture) -> None:
    """Start the network's base at a fitted Gaussian mixture (Gaussian-like Student-t)."""
    L = np.linalg.cholesky(mixture.covariances_)  # (K, D, D)
    with torch.no_grad():
        network.base_logits.copy_(torch.as_tensor(np.log(mixture.weights_)))
        network.base_loc.copy_(torch.as_tensor(mixture.means_))
        network.base_tril.copy_(torch.as_tensor(L))
        network.base_log_diag.copy_(torch.as_tensor(np.log(np.diagonal(L, axis1=1, axis2=2))))
