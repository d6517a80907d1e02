"""The M-step of EM: weights, means, covariances and category probabilities from the statistics.

Without a prior the means and covariances are the maximum-likelihood ones; with one they are its
posterior modes (:mod:`genlab.models.mixture.prior`). ``n_factors`` then restricts every full
covariance to ``W Wᵀ + σ² I`` (a mixture of probabilistic PCA), and ``reg_covar`` is added to the
diagonal last.

References:
    Tipping & Bishop (1999). Mixtures of probabilistic principal component analyzers. Neural
    Computation 11(2), 443-482 (the ``n_factors`` covariances).
    Fraley & Raftery (2007). Bayesian regularization for normal mixture estimation and
    model-based clustering. Journal of Classification 24, 155-181.
"""

from __future__ import annotations

import numpy as np

from genlab.models.mixture.categorical import map_probabilities
from genlab.models.mixture.estep import Stats
from genlab.models.mixture.options import Options
from genlab.models.mixture.params import MixtureParams
from genlab.models.mixture.prior import Prior

_TINY = 10 * np.finfo(np.float64).eps  # keeps an emptied component finite (as sklearn does)


def m_step(
    stats: Stats, opts: Options, col_var: np.ndarray, prior: Prior | None = None
) -> MixtureParams:
    """The parameters that maximize the expected log-likelihood (or log posterior)."""
    n_k = stats.n_k + _TINY  # (K,)
    full = opts.covariance_type == "full"
    if prior is not None:
        means, cov = _map_gaussians(stats, n_k, prior)
    elif full:
        means = stats.sum_x / n_k[:, None]  # (K, D)
        cov = stats.sum_xx / n_k[:, None, None] - means[:, :, None] * means[:, None, :]
        cov = 0.5 * (cov + cov.transpose(0, 2, 1))  # (K, D, D)
    else:
        # A component with (almost) no observed entry in a column falls back to the column's
        # overall mean (0, data are centred) and variance instead of dividing by zero.
        n_obs = stats.sum_obs + _TINY  # (K, D)
        means = stats.sum_x / n_obs
        cov = np.maximum((stats.sum_xx + _TINY * col_var) / n_obs - means**2, 0.0)
    if full:
        cov = ppca(cov, opts.n_factors)  # (K, D, D)
        cov[:, np.arange(cov.shape[1]), np.arange(cov.shape[1])] += opts.reg_covar
    else:
        cov = cov + opts.reg_covar
    cat_probs = [map_probabilities(counts, opts.cat_pseudocount) for counts in stats.cat_counts]
    return MixtureParams(
        n_k / n_k.sum(), means, cov, opts.covariance_type, cat_probs, opts.n_factors
    )


def ppca(cov: np.ndarray, n_factors: int | None) -> np.ndarray:
    """The covariances ``W Wᵀ + σ² I`` (rank(W) = q) closest in likelihood to ``cov`` (K, D, D).

    Tipping & Bishop (1999): for a Gaussian whose expected scatter is ``S``, the maximum of
    ``-log|Σ| - tr(Σ⁻¹ S)`` over such ``Σ`` keeps the top ``q`` eigenvectors and eigenvalues of
    ``S`` and sets the other ``D - q`` eigenvalues to their mean ``σ²``. The M-step's objective
    (likelihood or MAP) has this form with ``S`` its unconstrained optimum, so EM stays EM.
    """
    D = cov.shape[1]
    if n_factors is None or n_factors >= D:
        return cov
    vals, vecs = np.linalg.eigh(cov)  # (K, D) ascending, (K, D, D)
    sigma2 = vals[:, : D - n_factors].mean(axis=1, keepdims=True)  # (K, 1) the noise variance
    vals = np.concatenate(
        [np.broadcast_to(sigma2, (len(vals), D - n_factors)), vals[:, D - n_factors :]], axis=1
    )
    out = (vecs * vals[:, None, :]) @ vecs.transpose(0, 2, 1)
    return 0.5 * (out + out.transpose(0, 2, 1))


def _map_gaussians(stats: Stats, n_k: np.ndarray, prior: Prior) -> tuple[np.ndarray, np.ndarray]:
    """Posterior modes of (μ_k, Σ_k) under the conjugate prior (Fraley & Raftery 2007, Table 2).

    ``μ_k = (Σ_i r_ik x_i + κ·0) / (n_k + κ)`` and
    ``Σ_k = (Ψ + W_k + κ n_k/(n_k+κ) x̄_k x̄_kᵀ) / (n_k + ν + D + 2)``; the scatter plus the
    shrinkage term is ``Σ_i r_ik x_i x_iᵀ − (n_k + κ) μ_k μ_kᵀ`` with the expected statistics of
    the E-step (so missing entries enter through ``E[x_m|x_o]`` and ``Cov[x_m|x_o]``). Diag: the
    same per column over its observed entries, denominator ``n_kd + ν + 3``.
    """
    kappa = prior.shrinkage
    if stats.sum_xx.ndim == 3:
        D = stats.sum_x.shape[1]
        means = stats.sum_x / (n_k + kappa)[:, None]  # (K, D)
        outer = means[:, :, None] * means[:, None, :]
        scatter = stats.sum_xx - (n_k + kappa)[:, None, None] * outer  # (K, D, D)
        cov = (scatter + prior.scale) / (n_k + prior.dof + D + 2.0)[:, None, None]
        return means, 0.5 * (cov + cov.transpose(0, 2, 1))
    n_obs = stats.sum_obs + _TINY  # (K, D)
    means = stats.sum_x / (n_obs + kappa)
    scatter = np.maximum(stats.sum_xx - (n_obs + kappa) * means**2, 0.0)
    return means, (scatter + prior.scale) / (n_obs + prior.dof + 3.0)
