"""How :class:`genlab.KDE` chooses its kernel covariance ``H`` from the training points.

Every choice is ``H = h^2 S``: a shape ``S`` (the data covariance, or its diagonal) times a
squared factor ``h``. Both shapes follow each column's units, so the model is the same in any
units (a shape averaged over columns, such as an isotropic kernel, would not be).

* ``"scott"`` and ``"silverman"``: ``S`` the data covariance, ``h`` a rule of thumb that
  depends only on ``N`` and ``D`` (Scott: ``N^(-1/(D+4))``). Instant, but the rules are right
  for one Gaussian blob: on multi-modal data (rings, clusters) they blur the structure.
* ``"cv"``: ``S`` the data covariance, ``h`` the multiple of Scott's factor (24 from 0.05 to 2)
  with the best exact leave-one-out log-likelihood.
* ``"auto"`` (the default): ``"cv"`` that also chooses the shape, full covariance or diagonal,
  by the same leave-one-out likelihood (on clustered data the full covariance mostly measures
  the spread between clusters; the diagonal keeps the kernel from being stretched along it).

Leave-one-out needs all ``N^2`` pairs. Up to :data:`CV_MAX_POINTS` rows it is exact on every
row; beyond, it runs on that many random rows and the chosen multiple of Scott's factor is
carried to ``N`` by the rule's rate ``N^(-1/(D+4))`` (on the rings with 20000 points, closer
to the true density than the bandwidth best for the subsample itself, and far closer than
Scott's rule). Its cost hardly depends on ``D`` and grows with the square of the rows, with
three ``(rows, rows)`` float64 matrices in memory (96 MB at 2000, 384 MB at 4000). 2000 rows
keeps ``"auto"`` (two shapes), a default that runs without being asked, near a second (the
``genlab.KDE (default)`` rows of ``genlab bench synthetic-density``: fit and score, 2000
rows).

Example:
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(-3, 0.3, (200, 1)), rng.normal(3, 0.3, (200, 1))]
    >>> H = cross_validated(X, np.atleast_2d(X.var()), ("full",), rng)  # two narrow bumps
    >>> bool(H[0, 0] < scott_factor(400, 1) ** 2 * X.var() / 10)  # far narrower than the rule
    True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.linalg import solve_triangular
from scipy.spatial.distance import cdist

#: Multiples of Scott's factor tried by leave-one-out.
CV_FACTORS = np.geomspace(0.05, 2.0, 24)
#: Rows leave-one-out runs on: all of them up to this many, a random subsample beyond.
CV_MAX_POINTS = 2000
#: Kernel shapes ``"auto"`` chooses between, by leave-one-out likelihood.
AUTO_SHAPES = ("full", "diagonal")


def scott_factor(n: int, d: int) -> float:
    """Scott's rule: the kernel std in units of the data std, ``n^(-1/(d+4))``.

    Example:
        >>> round(scott_factor(1000, 2), 4)
        0.3162
    """
    return float(n ** (-1.0 / (d + 4)))


def silverman_factor(n: int, d: int) -> float:
    """Silverman's rule: ``(n (d + 2) / 4)^(-1/(d+4))``.

    Example:
        >>> round(silverman_factor(1000, 2), 4)
        0.3162
    """
    return float((n * (d + 2) / 4.0) ** (-1.0 / (d + 4)))


def cross_validated(
    points: np.ndarray, cov: np.ndarray, shapes: Sequence[str], rng: np.random.Generator
) -> np.ndarray:
    """The kernel covariance ``h^2 S`` of the best leave-one-out likelihood (see module
    docstring) over ``S`` in ``shapes`` (``"full"``: ``cov``; ``"diagonal"``: its diagonal)
    and ``h`` in :data:`CV_FACTORS` times Scott's factor; ``points`` is (N, D), N >= 2."""
    n, d = points.shape
    rows = points[rng.permutation(n)[:CV_MAX_POINTS]]
    best_score, best = -np.inf, (1.0, cov)
    for shape in shapes:
        S = cov if shape == "full" else np.diag(np.diag(cov))
        scores = loo_log_likelihoods(rows, S, CV_FACTORS * scott_factor(len(rows), d))
        k = int(np.argmax(scores))
        if scores[k] > best_score:
            best_score, best = scores[k], (float(CV_FACTORS[k]), S)
    multiple, S = best
    # the multiple chosen on len(rows) rows is carried to all n by Scott's rate
    return (multiple * scott_factor(n, d)) ** 2 * S


def loo_log_likelihoods(points: np.ndarray, S: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Mean leave-one-out log-likelihood of the KDE with kernel ``f^2 S``, for each ``f``.

    Exact: row ``i`` is scored by the mixture of the kernels on every other row. One distance
    matrix serves every factor: with ``d_ij`` the Mahalanobis distance under ``S``, the log
    kernel is ``-d_ij^2 / (2 f^2) - D log f - log det(S) / 2 - D log(2 pi) / 2``. Each row's
    terms are shifted by its nearest neighbour's distance, so the largest is ``exp(0) = 1``:
    no running maximum is needed, and the sum is one in-place pass per factor.

    Example:
        >>> X = np.array([[0.0], [1.0], [2.0]])
        >>> loo_log_likelihoods(X, np.eye(1), np.array([1.0])).round(4)  # unit kernel
        array([-1.7468])
    """
    m, d = points.shape
    L = np.linalg.cholesky(S)
    white = solve_triangular(L, points.T, lower=True).T
    sq = cdist(white, white, "sqeuclidean")  # (m, m)
    np.fill_diagonal(sq, np.inf)  # leave one out
    near = sq.min(axis=1)
    sq -= near[:, None]
    buf = np.empty_like(sq)
    log_det = 2.0 * np.log(np.diag(L)).sum()
    const = -np.log(m - 1) - 0.5 * log_det - 0.5 * d * np.log(2 * np.pi)
    out = np.empty(len(factors))
    for k, f in enumerate(factors):
        c = -0.5 / f**2
        np.multiply(sq, c, out=buf)
        np.exp(buf, out=buf)
        log_sums = np.log(buf.sum(axis=1)) + c * near  # log sum_j exp(-d_ij^2 / 2f^2)
        out[k] = log_sums.mean() - d * np.log(f) + const
    return out
