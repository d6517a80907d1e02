"""How genlab.KDE chooses its kernel (genlab.models.kde.bandwidth): the default is exact
leave-one-out on small data, the rule of thumb's rate with a cross-validated multiple beyond."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

import genlab
from genlab.models.kde import bandwidth


def _rings(n: int, seed: int = 0) -> np.ndarray:
    return genlab.load_dataset("concentric_rings").density.sample(n, random_state=seed)


def _brute_loo(X: np.ndarray, H: np.ndarray) -> float:
    """Mean over rows of log (1/(n-1)) sum_{j != i} N(x_i; x_j, H), one kernel at a time."""
    n = len(X)
    terms = np.array([multivariate_normal(X[j], H).logpdf(X) for j in range(n)])  # (j, i)
    np.fill_diagonal(terms, -np.inf)
    return float(np.mean(logsumexp(terms, axis=0) - np.log(n - 1)))


def test_the_default_bandwidth_is_auto():
    assert genlab.KDE().bandwidth == "auto"


def test_leave_one_out_matches_a_kernel_by_kernel_sum():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 3)) @ np.array([[1.0, 0.5, 0], [0, 1.0, 0.2], [0, 0, 0.3]])
    S = np.cov(X, rowvar=False)
    factors = np.array([0.2, 0.7])
    fast = bandwidth.loo_log_likelihoods(X, S, factors)
    for f, value in zip(factors, fast, strict=True):
        assert value == pytest.approx(_brute_loo(X, f**2 * S), abs=1e-10)


def test_on_small_data_auto_is_the_exact_cross_validated_choice():
    X = _rings(400)
    auto = genlab.KDE().fit(X).bandwidth_matrix_
    cov = np.cov(X, rowvar=False)
    cov += 1e-9 * np.diag(np.diag(cov))  # the estimator's ridge
    candidates = {  # every (shape, multiple) auto may pick, with its leave-one-out score
        (shape, k): score
        for shape, S in (("full", cov), ("diagonal", np.diag(np.diag(cov))))
        for k, score in enumerate(
            bandwidth.loo_log_likelihoods(
                X, S, bandwidth.CV_FACTORS * bandwidth.scott_factor(400, 2)
            )
        )
    }
    shape, k = max(candidates, key=candidates.get)
    S = cov if shape == "full" else np.diag(np.diag(cov))
    expected = (bandwidth.CV_FACTORS[k] * bandwidth.scott_factor(400, 2)) ** 2 * S
    np.testing.assert_allclose(auto, expected, rtol=1e-12)
    scott = genlab.KDE(bandwidth="scott").fit(X).bandwidth_matrix_
    assert np.trace(auto) < np.trace(scott) / 10  # the rings need a far narrower kernel


def test_auto_takes_the_diagonal_shape_where_leave_one_out_prefers_it():
    # gmm10d: the data covariance is mostly the spread between the clusters
    X = genlab.load_dataset("gmm10d").X[:400]
    H = genlab.KDE().fit(X).bandwidth_matrix_
    assert np.count_nonzero(H - np.diag(np.diag(H))) == 0
    full = genlab.KDE(bandwidth="cv").fit(X)
    assert genlab.KDE().fit(X).score(X[:50]) != full.score(X[:50])


def test_beyond_the_threshold_auto_carries_a_subsample_choice_by_scotts_rate(monkeypatch):
    seen = []
    real = bandwidth.loo_log_likelihoods

    def spy(points, S, factors):
        seen.append(len(points))
        return real(points, S, factors)

    monkeypatch.setattr(bandwidth, "CV_MAX_POINTS", 100)
    monkeypatch.setattr(bandwidth, "loo_log_likelihoods", spy)
    X = _rings(400)
    H = genlab.KDE().fit(X).bandwidth_matrix_
    assert seen == [100, 100]  # both shapes, on 100 rows only: the cost stops growing
    var = np.diag(np.cov(X, rowvar=False))
    multiple = np.sqrt(H[0, 0] / var[0]) / bandwidth.scott_factor(400, 2)  # at N = 400
    assert np.isclose(bandwidth.CV_FACTORS, multiple, rtol=1e-6).any()


def test_auto_is_the_same_model_in_any_units():
    X = genlab.load_dataset("gmm10d").X[:300]
    scale = np.geomspace(1e-6, 1e6, 10)
    kde, scaled = genlab.KDE().fit(X), genlab.KDE().fit(X * scale)
    np.testing.assert_allclose(
        scaled.log_prob(X[:20] * scale), kde.log_prob(X[:20]) - np.log(scale).sum(), atol=1e-8
    )
