"""The conjugate prior of the Gaussian parameters, which makes EM a MAP estimate.

With ``prior=True`` (the default) the Gaussian parameters are MAP estimates under the conjugate
normal-inverse-Wishart prior of Fraley & Raftery (2007) (normal-inverse-gamma per column for
diagonal covariances), as R's mclust does with ``priorControl()``. Its target is mclust's: the
data covariance divided by ``K^(2/D)``, with the means shrunk slightly (κ = 0.01) toward the data
mean. Maximum likelihood has no maximum for full covariances (a component can collapse on a few
rows), and on collinear data EM drifts into such near-singular optima, which differ from seed to
seed. The MAP covariance is the ML one plus ``m`` pseudo-rows of the target,
``(n_k Σ̂_k + m C) / (n_k + m)``; the default is ``m = D + 2`` (3 per column for diag),
chosen by ``tools/choose_gmm_prior.py`` (5-fold CV on the training splits of breast_cancer and
wine only; it prints the figures). mclust's own ``Ψ = C``
(``prior="mclust"``) makes ``C`` the prior *mean*, whose *mode* is ``C / (2D + 3)``, and so
shrinks every covariance (see ``make_prior``). The M-step uses the same expected statistics as
without a prior, so it stays exact with missing entries, and EM increases the log posterior
``log p(X_o | θ) + log p(θ)``. ``prior=False`` is maximum likelihood.

References:
    Fraley & Raftery (2007). Bayesian regularization for normal mixture estimation and
    model-based clustering. Journal of Classification 24, 155-181.
    https://doi.org/10.1007/s00357-007-0004-5
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genlab.models.mixture.conditional import Gaussians
from genlab.models.mixture.options import Options
from genlab.models.mixture.table import Table

_PRIOR_SHRINKAGE = 0.01  # κ of mclust's defaultPrior: the means' prior is worth 0.01 rows
_PRIOR_FLOOR = 1e-6  # floor of the prior scale's eigenvalues, relative to the mean variance


@dataclass(frozen=True)
class Prior:
    """Conjugate prior of the Gaussian parts (Fraley & Raftery 2007), in centred coordinates.

    Full: ``μ_k | Σ_k ~ N(0, Σ_k / κ)`` and ``Σ_k ~ IW(ν, Ψ)``, density
    ``∝ |Σ|^{-(ν+D+1)/2} exp(-tr(Ψ Σ⁻¹) / 2)``. Diag: per column ``μ_kd | σ²_kd ~ N(0, σ²_kd / κ)``
    and ``σ²_kd ~ InvGamma(ν/2, Ψ_d/2)``. The prior mean 0 is the data mean (the table is
    centred). Mixing weights and category probabilities have no (extra) prior here.
    """

    shrinkage: float  # κ > 0
    dof: float  # ν
    scale: np.ndarray  # Ψ: (D, D) full, (D,) diag


def _data_covariance(table: Table) -> np.ndarray:
    """Covariance of the continuous columns from the pairwise observed entries, (Dc, Dc).

    The table is centred on the observed column means; each entry divides by its pair count
    less one (mclust's ``var(data)`` on a complete table).
    """
    X0 = np.where(table.miss, 0.0, table.Xc)  # (N, D)
    obs = (~table.miss).astype(np.float64)
    cov = (X0.T @ X0) / np.maximum(obs.T @ obs - 1.0, 1.0)
    return 0.5 * (cov + cov.T)


def make_prior(table: Table, K: int, opts: Options) -> Prior | None:
    """The prior of a K-component fit, from the data (None for maximum likelihood).

    The target covariance is mclust's: ``C = cov(data) / K^(2/D)``, the data covariance
    scaled to the share of the volume one of K components gets, its eigenvalues floored at
    ``1e-6`` times the mean variance so that it stays positive definite on degenerate data
    (a constant column, fewer rows than columns); ``κ = 0.01`` as in mclust.

    genlab makes ``C`` the prior *mode* of each covariance: ``Ψ = m·C`` with ``m = ν + d + 2``,
    ``d = D`` (full) or 1 (diag, each column on its own), so that the MAP covariance is the
    convex combination ``(n_k Σ̂_k + m C) / (n_k + m)`` of the ML estimate and ``C``: ``m``
    pseudo-rows per component. ``opts.prior = w`` sets ``m = w·(d + 2)``: ``w = 1`` (the
    default) is ``ν = 0``, the Jeffreys-like ``|Σ|^{-(D+1)/2}`` times ``exp(-tr(Ψ Σ⁻¹)/2)``
    (improper, but the MAP exists as Ψ is positive definite), ``w = 2`` is mclust's
    ``ν = d + 2``. The default ``w = 1`` is the one ``tools/choose_gmm_prior.py`` chooses
    among 0, 0.1, 1 and 10 by 5-fold CV on the training splits of breast_cancer and wine.

    ``"mclust"`` is ``defaultPrior`` itself: ``ν = D + 2`` and ``Ψ = C`` (diag: the mean
    variance), which makes ``C`` the prior *mean* of Σ; its mode ``C / (2D + 3)`` is far
    smaller, and the MAP shrinks every covariance by about ``n_k / (n_k + 2D + 4)``.
    """
    D = table.Xc.shape[1]
    if opts.prior == 0 or D == 0:
        return None
    full = opts.covariance_type == "full"
    cov = _data_covariance(table)
    mean_var = np.trace(cov) / D
    floor = _PRIOR_FLOOR * (mean_var if mean_var > 0 else 1.0)
    if not full:
        cov = np.maximum(np.diag(cov), floor)
        if opts.prior == "mclust":
            cov = np.full(D, cov.mean())
    else:
        vals, vecs = np.linalg.eigh(cov)
        if vals[0] < floor:
            cov = (vecs * np.maximum(vals, floor)) @ vecs.T
            cov = 0.5 * (cov + cov.T)
    target = cov / K ** (2.0 / D)
    if opts.prior == "mclust":
        return Prior(_PRIOR_SHRINKAGE, D + 2.0, target)
    d = D if full else 1
    rows = float(opts.prior) * (d + 2.0)  # pseudo-rows m = ν + d + 2
    return Prior(_PRIOR_SHRINKAGE, rows - (d + 2.0), rows * target)


def log_prior(g: Gaussians, prior: Prior | None) -> float:
    """log p(μ, Σ) summed over components, up to a constant (0 without a prior).

    The constant (the normalizer, which depends only on κ, ν and Ψ) is left out so that the
    prior may also be improper (``ν`` at most ``D - 1``, a weak ``prior``).
    """
    if prior is None:
        return 0.0
    D = g.means.shape[1]
    kappa, nu, psi = prior.shrinkage, prior.dof, prior.scale
    if g.full:
        quad = np.einsum("kd,kde,ke->k", g.means, g.precisions, g.means)  # μᵀ Σ⁻¹ μ
        trace = np.einsum("de,ked->k", psi, g.precisions)  # tr(Ψ Σ⁻¹)
        out = -0.5 * (nu + D + 2.0) * g.logdets - 0.5 * (trace + kappa * quad)
    else:
        prec = g.precisions  # (K, D) 1 / σ²
        out = -0.5 * (nu + 3.0) * g.logdets - 0.5 * ((psi + kappa * g.means**2) * prec).sum(1)
    return float(out.sum())
