"""How many training points a KDE needs: the sample-size sweep of ``curse-of-dimensionality``.

The sweep refits ``genlab.KDE`` on growing samples of the true density and stops at the first
size whose gap to the truth per dimension reaches a target (the best other family's gap at the
suite's training size). The kernel is genlab's ``bandwidth="cv"`` parametrization,
``H = f^2 * cov`` with ``cov`` the sample covariance, and ``f`` the multiple of Scott's factor
(on the same grid) with the best *exact* leave-one-out log-likelihood over all ``n`` points.
``genlab.KDE(bandwidth="cv")`` runs its leave-one-out on at most 2000 rows (a subsample
beyond, its choice carried to all rows by Scott's rate). Here the queries
are capped at 2000 too (cost), but each query's leave-one-out density sums over all ``n - 1``
other points, so the score is an unbiased estimate of the full leave-one-out likelihood. Up
to 2000 points the choice is the same as ``genlab.KDE(bandwidth="cv")``'s.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import logsumexp

from genlab.models.kde.bandwidth import CV_FACTORS, scott_factor
from genlab.models.kde.kernels import log_gaussian_tied

#: Held-out query points of the leave-one-out score (genlab.KDE's own CV subsample size).
LOO_QUERIES = 2000


def whitening(X: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor ``L`` of the sample covariance of ``X`` (``L L^T = cov``), with
    genlab.KDE's relative ridge, so ``f * L`` is the kernel's factor for a bandwidth ``f``."""
    cov = np.atleast_2d(np.cov(X, rowvar=False))
    return np.linalg.cholesky(cov + 1e-9 * np.diag(np.diag(cov)))


def loo_log_likelihood(X: np.ndarray, chol: np.ndarray, queries: np.ndarray | None = None) -> float:
    """Sum over ``queries`` (row indices of ``X``; all rows if None) of the exact leave-one-out
    log density ``log 1/(n-1) sum_{j != i} N(x_i; x_j, chol chol^T)``.

    Example:
        >>> X = np.array([[0.0], [1.0], [3.0]])
        >>> # row 0 left out: log (N(0; 1, 1) + N(0; 3, 1)) / 2
        >>> round(loo_log_likelihood(X, np.eye(1), np.array([0])), 4)
        -2.0939
    """
    n = len(X)
    idx = np.arange(n) if queries is None else np.asarray(queries)
    m = len(idx)
    inside = log_gaussian_tied(X[idx], X[idx], chol, reduce=False) + math.log(m)  # (m, m)
    np.fill_diagonal(inside, -np.inf)  # leave each query out of its own sum
    total = logsumexp(inside, axis=1)  # (m,): log sum over the other queries
    if m < n:  # the points that are not queries, summed in one exact streaming pass
        rest = np.ones(n, dtype=bool)
        rest[idx] = False
        outside = log_gaussian_tied(X[idx], X[rest], chol) + math.log(n - m)
        total = np.logaddexp(total, outside)
    return float(np.sum(total - math.log(n - 1)))


def loo_factor(X: np.ndarray, *, random_state: int = 0) -> float:
    """The bandwidth factor ``f`` (kernel ``f^2 * cov``) of :data:`CV_FACTORS` times Scott's
    factor with the best leave-one-out log-likelihood of :data:`LOO_QUERIES` random rows."""
    n, d = X.shape
    L = whitening(X)
    queries = np.random.default_rng(random_state).permutation(n)[:LOO_QUERIES]
    factors = CV_FACTORS * scott_factor(n, d)
    scores = [loo_log_likelihood(X, f * L, queries) for f in factors]
    return float(factors[int(np.argmax(scores))])


def kde_log_prob(X: np.ndarray, X_test: np.ndarray, factor: float) -> np.ndarray:
    """``genlab.KDE`` with kernel covariance ``factor^2 * cov(X)`` on ``X``, at ``X_test``.

    genlab.KDE takes a numeric bandwidth per column, so it is fitted on whitened points
    (isotropic kernel ``factor``); the log-Jacobian of the whitening brings the densities back
    to the original units.
    """
    import genlab

    L = whitening(X)
    white = lambda A: np.linalg.solve(L, A.T).T  # noqa: E731
    kde = genlab.KDE(bandwidth=factor).fit(white(X))
    return kde.log_prob(white(X_test)) - np.log(np.diag(L)).sum()


@dataclass
class Sweep:
    """The sizes tried, their gaps per dimension, and the first size that reached the target
    (None when none did)."""

    target: float
    sizes: list[int] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)
    matched: int | None = None
    seconds: float = 0.0

    def extrapolated(self) -> float | None:
        """Size at which the log-log line through the last (up to) 3 gaps reaches the target;
        None with fewer than 2 sizes, a gap that does not shrink with ``n`` or a target at or
        below 0 (a gap that a power of ``n`` never reaches)."""
        if len(self.sizes) < 2 or not self.target > 0:
            return None
        logn, logg = np.log(self.sizes[-3:]), np.log(np.maximum(self.gaps[-3:], 1e-12))
        slope, intercept = np.polyfit(logn, logg, 1)
        if not slope < 0:
            return None
        return float(np.exp((math.log(self.target) - intercept) / slope))


def sweep_sizes(
    draw: Callable[[int], np.ndarray],
    X_test: np.ndarray,
    true_log_prob: np.ndarray,
    target: float,
    sizes: tuple[int, ...],
) -> Sweep:
    """Fit the KDE on ``draw(n)`` (the first ``n`` points of one growing sample) for each
    ``n`` in ``sizes`` until its gap per dimension on ``X_test`` is at most ``target``.

    Example:
        >>> from genlab.data.synthetic import NestedGaussianMixture
        >>> p = NestedGaussianMixture(1)
        >>> X, T = p.sample(400, random_state=0), p.sample(300, random_state=1)
        >>> s = sweep_sizes(lambda n: X[:n], T, p.true_log_prob(T), 1.0, (100, 200, 400))
        >>> s.sizes, s.matched
        ([100], 100)
    """
    result = Sweep(target)
    start = time.perf_counter()
    d = X_test.shape[1]
    for n in sizes:
        X = draw(n)
        log_prob = kde_log_prob(X, X_test, loo_factor(X))
        result.sizes.append(n)
        result.gaps.append(float(np.mean(true_log_prob - log_prob)) / d)
        if result.gaps[-1] <= target:
            result.matched = n
            break
    result.seconds = time.perf_counter() - start
    return result
