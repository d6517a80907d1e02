"""Gaussian conditioning on the observed entries: the densities and the missing-entry Gaussians.

A missing continuous entry is marginalized by taking the observed sub-block of ``μ_k, Σ_k``, so
``log N(x_o)`` is exact; the missing entries given the observed ones are Gaussian with mean
``E[x_m | x_o, k]`` and covariance ``Cov[x_m | x_o, k]``. EM (the E-step) and the queries of a
fitted mixture (``log_prob``, ``impute``) share this code.

Speed: no Python loop runs over rows or patterns. Rows are grouped by their missing pattern, and
the distinct patterns with the same count ``m`` of missing continuous entries are batched: the
blocks ``Λ_mm`` of the precisions ``Λ = Σ⁻¹`` are gathered for all of them and all components at
once and factorized by batched LAPACK calls, using ``Cov[x_m|x_o] = Λ_mm⁻¹``,
``E[x_m|x_o] = μ_m − Λ_mm⁻¹ (Λ(x−μ))_m`` (with the missing entries of ``x−μ`` set to 0) and
``log det Σ_oo = log det Σ + log det Λ_mm``. A pattern costs the cube of its *missing* count, and
is factorized once however many rows share it, so a table with a few missing entries costs little
more than a complete one. Temporaries are bounded by processing rows in chunks.

Example:
    >>> import numpy as np
    >>> p = MixtureParams(np.ones(1), np.zeros((1, 2)), np.eye(2)[None], "full", [])
    >>> log_norm, resp, cond = posterior(p, gaussians(p), np.array([[0.0, np.nan]]), None, False)
    >>> log_norm.round(4), cond.filled.shape  # log N(0; 0, 1); (K, n, D)
    (array([-0.9189]), (1, 1, 2))
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from genlab.core.errors import InputError
from genlab.models.mixture.categorical import categorical_loglik
from genlab.models.mixture.params import MixtureParams

_LOG_2PI = math.log(2.0 * math.pi)
_CHUNK_ELEMENTS = 1 << 22  # float64 elements per temporary (32 MiB), bounds memory on big tables


@dataclass(frozen=True)
class Gaussians:
    """What the densities need from (μ, Σ), computed once per parameter set."""

    means: np.ndarray  # (K, D)
    precisions: np.ndarray  # (K, D, D) Σ⁻¹ for full; (K, D) inverse variances for diag
    logdets: np.ndarray  # (K,) log det Σ_k
    full: bool


@dataclass(frozen=True)
class MissingBlock:
    """Rows whose missing continuous entries follow one of p distinct patterns of m columns."""

    rows: np.ndarray  # (g,) rows of the chunk
    pattern: np.ndarray  # (g,) each row's pattern, an index into cols and cov
    cols: np.ndarray  # (p, m) the missing columns of each pattern, sorted
    cov: np.ndarray  # (p, K, m, m) Cov[x_m | x_o, k] (it does not depend on x_o)


@dataclass
class Conditional:
    """Per row and component: log N(x_o) and the Gaussian of the missing entries given x_o."""

    log_density: np.ndarray  # (n, K)
    filled: np.ndarray  # (K, n, D) x with missing entries replaced by E[x_m | x_o, k]
    blocks: list[MissingBlock]


def gaussians(params: MixtureParams) -> Gaussians:
    """Precisions and log-determinants of every component, computed once per parameter set."""
    K, D = params.means.shape
    if params.covariance_type == "diag":
        var = params.covariances  # (K, D)
        return Gaussians(params.means, 1.0 / var, np.log(var).sum(axis=1), False)
    if D == 0:
        return Gaussians(params.means, np.zeros((K, 0, 0)), np.zeros(K), True)
    try:
        chol = np.linalg.cholesky(params.covariances)  # (K, D, D)
    except np.linalg.LinAlgError as err:
        raise InputError("a covariance is not positive definite; increase reg_covar") from err
    chol_inv = np.linalg.solve(chol, np.broadcast_to(np.eye(D), chol.shape))  # (K, D, D)
    precisions = chol_inv.transpose(0, 2, 1) @ chol_inv  # Σ⁻¹ = L⁻ᵀ L⁻¹
    logdets = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    return Gaussians(params.means, precisions, logdets, True)


def _missing_groups(
    miss: np.ndarray, n_components: int
) -> Iterator[tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]]:
    """Distinct missing patterns, batched by their count m, with the rows that have them.

    Yields ``(cols, parts)``: ``cols`` (p, m) the missing columns of p distinct patterns, and
    ``parts`` a list of ``(rows (g,), pattern (g,))``. Chunks keep p·K·m² and g·K·m² bounded.
    """
    patterns, inverse = np.unique(miss, axis=0, return_inverse=True)  # (P, D), (n,)
    inverse = inverse.reshape(-1)
    n_missing = patterns.sum(axis=1)  # (P,)
    for m in np.unique(n_missing[n_missing > 0]):
        step = max(1, _CHUNK_ELEMENTS // (n_components * m * m))
        same_count = np.flatnonzero(n_missing == m)
        for start in range(0, len(same_count), step):
            chunk = same_count[start : start + step]
            local = np.full(len(patterns), -1)
            local[chunk] = np.arange(len(chunk))
            rows = np.flatnonzero(local[inverse] >= 0)
            cols = np.nonzero(patterns[chunk])[1].reshape(len(chunk), m)  # row-major: sorted
            parts = [(r, local[inverse[r]]) for r in np.array_split(rows, -(-len(rows) // step))]
            yield cols, parts


def _conditional_full(g: Gaussians, Xc: np.ndarray, miss: np.ndarray) -> Conditional:
    """Observed-entry densities and missing-entry conditionals, full covariances."""
    n, K = len(Xc), len(g.means)
    # Component-major (K, n, D) layout: every per-component product is one BLAS call.
    diff = np.where(miss, 0.0, Xc - g.means[:, None, :])  # (K, n, D)
    prec_diff = diff @ g.precisions  # (K, n, D) Λ(x−μ), Λ symmetric
    quad = np.einsum("knd,knd->nk", diff, prec_diff)  # (n, K), corrected to the observed block
    logdet = np.repeat(g.logdets[None, :], n, axis=0)  # (n, K) log det Σ_oo after correction
    filled = np.repeat(np.where(miss, 0.0, Xc)[None], K, axis=0)  # (K, n, D)
    k = np.arange(K)[None, :, None]
    blocks = []
    for cols, parts in _missing_groups(miss, K):
        lam = g.precisions[k[..., None], cols[:, None, :, None], cols[:, None, None, :]]
        chol = np.linalg.cholesky(lam)  # (p, K, m, m) Λ_mm = L Lᵀ
        logdet_lam = 2.0 * np.log(np.diagonal(chol, axis1=2, axis2=3)).sum(axis=-1)  # (p, K)
        cov = np.linalg.inv(lam)  # (p, K, m, m) Cov[x_m | x_o, k] = Λ_mm⁻¹
        for rows, pattern in parts:
            row_cols = cols[pattern][:, None, :]  # (g, 1, m)
            prec_diff_m = prec_diff[k, rows[:, None, None], row_cols]  # (g, K, m)
            shift = np.einsum("gkab,gkb->gka", cov[pattern], prec_diff_m)  # (g, K, m)
            quad[rows] -= (prec_diff_m * shift).sum(axis=-1)
            logdet[rows] += logdet_lam[pattern]
            filled[k, rows[:, None, None], row_cols] = g.means[k, row_cols] - shift
            blocks.append(MissingBlock(rows, pattern, cols, cov))
    n_obs = (~miss).sum(axis=1)[:, None]  # (n, 1)
    return Conditional(-0.5 * (n_obs * _LOG_2PI + logdet + quad), filled, blocks)


def _conditional_diag(
    g: Gaussians, Xc: np.ndarray, miss: np.ndarray, need_blocks: bool
) -> Conditional:
    """Observed-entry densities and missing-entry conditionals, diagonal covariances."""
    K = len(g.means)
    diff = np.where(miss, 0.0, Xc - g.means[:, None, :])  # (K, n, D)
    obs = (~miss).astype(np.float64)  # (n, D)
    quad = np.einsum("knd,kd->nk", diff**2, g.precisions)  # (n, K)
    logdet = -obs @ np.log(g.precisions).T  # (n, K) log det Σ_oo
    log_density = -0.5 * (obs.sum(axis=1, keepdims=True) * _LOG_2PI + logdet + quad)
    filled = np.where(miss, g.means[:, None, :], Xc)  # (K, n, D)
    blocks = []
    for cols, parts in _missing_groups(miss, K) if need_blocks else ():
        var = 1.0 / g.precisions[np.arange(K)[None, :, None], cols[:, None, :]]  # (p, K, m)
        cov = var[..., None] * np.eye(cols.shape[1])  # (p, K, m, m)
        blocks += [MissingBlock(rows, pattern, cols, cov) for rows, pattern in parts]
    return Conditional(log_density, filled, blocks)


def posterior(
    params: MixtureParams, g: Gaussians, Xc: np.ndarray, Xcat: np.ndarray, need_blocks: bool
) -> tuple[np.ndarray, np.ndarray, Conditional]:
    """log p(x_o) (n,), responsibilities (n, K) and conditionals for one chunk of rows."""
    miss = np.isnan(Xc)
    full = g.full
    cond = _conditional_full(g, Xc, miss) if full else _conditional_diag(g, Xc, miss, need_blocks)
    with np.errstate(divide="ignore"):  # a user-given zero weight is a legal -inf
        log_joint = np.log(params.weights) + cond.log_density  # (n, K)
    if params.cat_probs:
        log_joint = log_joint + categorical_loglik(params.cat_probs, Xcat)
    log_norm = logsumexp(log_joint, axis=1)  # (n,)
    return log_norm, np.exp(log_joint - log_norm[:, None]), cond


def row_chunks(n_rows: int, n_components: int, n_cont: int) -> Iterator[slice]:
    """Slices of rows whose (rows, K, D) temporaries stay under _CHUNK_ELEMENTS."""
    step = max(1, _CHUNK_ELEMENTS // (n_components * max(n_cont, 1)))
    for start in range(0, n_rows, step):
        yield slice(start, start + step)
