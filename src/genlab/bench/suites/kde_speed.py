"""Suite ``kde-speed``: wall time and accuracy of exact Gaussian KDE log densities.

Every method evaluates the same problem: the log density, at n standard normal queries, of a
Gaussian KDE with isotropic bandwidth 0.3 on n training points in d = 2 and d = 8. The training
points are standard normal draws whitened to unit sample covariance, so that scipy's
``gaussian_kde`` (whose kernel covariance is always the data covariance times ``bw_method**2``)
gets exactly ``0.3**2 * I`` through its public API. Timings exclude fitting; every method
reports the best of the same number of runs (``REPEATS``), slow or fast. ``max_abs_error`` is
against a float64 reference: exact squared distances (``scipy.spatial.distance.cdist``) and
``scipy.special.logsumexp``, in chunks.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from scipy.spatial.distance import cdist
from scipy.special import logsumexp

import genlab
from genlab.bench.rows import Row

NAME = "kde-speed"
BANDWIDTH = 0.3
DIMENSIONS = (2, 8)
N_FULL, N_QUICK = 20_000, 2_000
REPEATS = 3  # every method runs this often: a time budget would give slow methods fewer tries

Evaluator = Callable[[np.ndarray], np.ndarray]  # queries (M, D) -> log densities (M,)


def _fit_genlab(train: np.ndarray) -> Evaluator:
    return genlab.KDE(bandwidth=BANDWIDTH).fit(train).log_prob


def _fit_sklearn(train: np.ndarray) -> Evaluator:
    from sklearn.neighbors import KernelDensity

    return KernelDensity(bandwidth=BANDWIDTH, rtol=0).fit(train).score_samples


def _fit_scipy(train: np.ndarray) -> Evaluator:
    from scipy.stats import gaussian_kde

    kde = gaussian_kde(train.T, bw_method=BANDWIDTH)
    d = train.shape[1]
    if not np.allclose(kde.covariance, BANDWIDTH**2 * np.eye(d), rtol=0, atol=1e-12):
        raise RuntimeError("train set is not whitened: scipy's kernel is not 0.3**2 * I")
    return lambda queries: kde.logpdf(queries.T)


METHODS: dict[str, tuple[Callable[[np.ndarray], Evaluator], str]] = {
    "genlab.KDE": (_fit_genlab, "exact float64 sum over all kernels, torch threads"),
    "sklearn.KernelDensity": (_fit_sklearn, "KernelDensity(bandwidth=0.3, rtol=0): exact KD-tree"),
    "scipy.gaussian_kde": (
        _fit_scipy,
        "gaussian_kde(train.T, bw_method=0.3).logpdf; train whitened to unit sample covariance, "
        "so the kernel covariance is exactly 0.3²·I",
    ),
}


def gaussian_sets(d: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Seed-fixed (train, queries), each (n, d); train whitened to unit sample covariance.

    Example:
        >>> train, queries = gaussian_sets(2, 500)
        >>> bool(np.allclose(np.cov(train, rowvar=False), np.eye(2)))
        True
    """
    rng = np.random.default_rng([d, n])
    train, queries = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    L = np.linalg.cholesky(np.atleast_2d(np.cov(train, rowvar=False)))
    train = np.linalg.solve(L, train.T).T  # rows L^-1 x: sample covariance exactly I
    return train, queries


def reference_log_density(train: np.ndarray, queries: np.ndarray, h: float) -> np.ndarray:
    """Float64 log KDE density by exact pairwise distances and logsumexp, in chunks (M,).

    Example:
        >>> reference_log_density(np.zeros((1, 1)), np.zeros((1, 1)), 1.0).round(6)
        array([-0.918939])
    """
    n, d = train.shape
    chunk = max(1, (1 << 22) // n)  # ~32 MB of distances at a time
    out = np.empty(len(queries))
    const = -math.log(n) - 0.5 * d * math.log(2 * math.pi * h * h)
    for i in range(0, len(queries), chunk):
        d2 = cdist(queries[i : i + chunk], train, "sqeuclidean")  # (B, n)
        out[i : i + chunk] = logsumexp(-d2 / (2 * h * h), axis=1) + const
    return out


def _best_seconds(evaluate: Evaluator, queries: np.ndarray) -> tuple[float, int, np.ndarray]:
    """(best wall seconds, runs, log densities) over ``REPEATS`` runs."""
    best, runs = math.inf, 0
    while runs < REPEATS:
        start = time.perf_counter()
        values = evaluate(queries)
        best, runs = min(best, time.perf_counter() - start), runs + 1
    return best, runs, values


def run(*, quick: bool = False) -> list[Row]:
    n = N_QUICK if quick else N_FULL
    rows = []
    for d in DIMENSIONS:
        dataset = f"gauss-d{d}-n{n}"
        train, queries = gaussian_sets(d, n)
        reference = reference_log_density(train, queries, BANDWIDTH)
        timed, errors = {}, {}
        for method, (fit, note) in METHODS.items():
            seconds, runs, values = _best_seconds(fit(train), queries)
            note_runs = f"{note}; best of {runs} run(s)"
            timed[method] = Row(
                NAME, "density", dataset, method, "seconds", seconds, False, seconds, note_runs
            )
            error = float(np.max(np.abs(values - reference)))
            errors[method] = Row(
                NAME,
                "density",
                dataset,
                method,
                "max_abs_error",
                error,
                False,
                note="max |log p - float64 reference| over all queries",
            )
        mine = timed["genlab.KDE"]
        mine.note = (
            f"{timed['sklearn.KernelDensity'].value / mine.value:.1f}x sklearn, "
            f"{timed['scipy.gaussian_kde'].value / mine.value:.1f}x scipy; {mine.note}"
        )
        rows += [*timed.values(), *errors.values()]
    return rows
