"""Tests of the queries of a fitted mixture (genlab/models/mixture/inference.py)."""

from __future__ import annotations

import numpy as np
import pytest
from mixture_data import random_params
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from genlab.models.mixture.em import fit_em
from genlab.models.mixture.inference import (
    conditional_mean,
    conditional_sample,
    log_prob,
    responsibilities,
    sample,
)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_log_prob_marginalizes_missing_entries(covariance_type):
    rng = np.random.default_rng(1)
    params = random_params(rng, covariance_type=covariance_type)
    Xc, Xcat = sample(params, 40, rng)
    Xc[rng.random(Xc.shape) < 0.4] = np.nan
    Xc[:5] = np.nan  # repeated pattern, and rows with only the categorical observed
    Xc[5:10, 1:3] = np.nan
    Xcat[::3, 0] = -1
    Xcat[0] = -1  # a row with nothing observed: log p = 0
    cov = params.covariances
    if covariance_type == "diag":
        cov = np.stack([np.diag(v) for v in cov])
    expected = []
    for x, c in zip(Xc, Xcat, strict=True):
        o = ~np.isnan(x)
        terms = np.log(params.weights).copy()
        for k in range(params.n_components):
            if o.any():
                terms[k] += multivariate_normal(params.means[k, o], cov[k][np.ix_(o, o)]).logpdf(
                    x[o]
                )
            if c[0] >= 0:
                terms[k] += np.log(params.cat_probs[0][k, c[0]])
        expected.append(terms)
    expected = np.array(expected)  # (N, K)
    got = log_prob(params, Xc, Xcat)
    np.testing.assert_allclose(got, logsumexp(expected, axis=1), rtol=1e-10, atol=1e-12)
    assert got[0] == pytest.approx(0.0, abs=1e-12)
    resp = np.exp(expected - logsumexp(expected, axis=1, keepdims=True))
    np.testing.assert_allclose(responsibilities(params, Xc, Xcat), resp, atol=1e-10)


def test_conditional_sample_keeps_observed_and_averages_to_conditional_mean():
    rng = np.random.default_rng(3)
    params = random_params(rng, K=3, D=4, n_categories=(3, 2))
    Xc, Xcat = sample(params, 6, rng)
    Xc[:, [1, 3]] = np.nan
    Xc[0] = np.nan
    Xc[2, 0] = np.nan
    Xcat[:, 0] = -1
    reps = 4000
    big_c, big_cat = np.repeat(Xc, reps, axis=0), np.repeat(Xcat, reps, axis=0)
    filled_c, filled_cat = conditional_sample(params, big_c, big_cat, rng=0)
    seen = ~np.isnan(big_c)
    assert np.array_equal(filled_c[seen].view(np.int64), big_c[seen].view(np.int64))
    assert np.array_equal(filled_cat[:, 1], big_cat[:, 1])
    assert not np.isnan(filled_c).any() and (filled_cat >= 0).all()
    mean_c, _ = conditional_mean(params, Xc, Xcat)
    draws = filled_c.reshape(len(Xc), reps, -1)  # (rows, reps, D)
    stderr = draws.std(axis=1) / np.sqrt(reps) + 1e-12
    assert (np.abs(draws.mean(axis=1) - mean_c) < 5 * stderr + 1e-12).all()
    predictive = responsibilities(params, Xc, Xcat) @ params.cat_probs[0]  # (rows, C)
    freq = (filled_cat[:, 0].reshape(len(Xc), reps)[..., None] == np.arange(3)).mean(axis=1)
    np.testing.assert_allclose(freq, predictive, atol=0.04)
    again = conditional_sample(params, big_c, big_cat, rng=0)
    assert np.array_equal(again[0], filled_c) and np.array_equal(again[1], filled_cat)


def test_conditional_mean_of_one_gaussian_is_the_regression_formula():
    rng = np.random.default_rng(4)
    params = random_params(rng, K=1, D=5, n_categories=())
    x = rng.normal(size=5)
    miss = np.array([False, True, False, True, True])
    query = np.where(miss, np.nan, x)[None]
    mu, S = params.means[0], params.covariances[0]
    o, m = ~miss, miss
    expected = mu[m] + S[np.ix_(m, o)] @ np.linalg.solve(S[np.ix_(o, o)], x[o] - mu[o])
    filled, _ = conditional_mean(params, query, None)
    np.testing.assert_allclose(filled[0, m], expected, rtol=1e-10)
    assert np.array_equal(filled[0, o], x[o])


def test_categorical_only_and_mixed_tables_round_trip():
    rng = np.random.default_rng(6)
    params = random_params(rng, K=2, D=2, n_categories=(4, 3))
    Xc, Xcat = sample(params, 300, rng)
    assert Xc.shape == (300, 2) and Xcat.shape == (300, 2)
    assert ((Xcat >= 0) & (Xcat < [4, 3])).all()
    cat_only, loglik = fit_em(None, Xcat, [4, 3], 2, random_state=0)
    assert cat_only.n_continuous == 0 and np.isfinite(loglik)
    assert log_prob(cat_only, np.zeros((300, 0)), Xcat).mean() == pytest.approx(loglik)


def test_sample_matches_moments():
    rng = np.random.default_rng(7)
    params = random_params(rng, K=2, D=3, n_categories=(3,))
    Xc, Xcat = sample(params, 40_000, rng=1)
    mean = params.weights @ params.means
    np.testing.assert_allclose(Xc.mean(axis=0), mean, atol=0.05)
    freq = np.bincount(Xcat[:, 0], minlength=3) / len(Xcat)
    np.testing.assert_allclose(freq, params.weights @ params.cat_probs[0], atol=0.01)


class _EdgeUniforms(np.random.Generator):
    """A generator whose uniforms all sit at one edge of [0, 1): the categorical draw's worst
    case, where rounding or the comparison rule could pick a category of probability zero."""

    def __init__(self, edge: float) -> None:
        super().__init__(np.random.PCG64(0))
        self.edge = edge

    def random(self, size=None, dtype=np.float64, out=None):
        return np.full(size, self.edge)


@pytest.mark.parametrize("rng", [0, _EdgeUniforms(0.0), _EdgeUniforms(np.nextafter(1.0, 0.0))])
def test_a_category_of_probability_zero_is_never_drawn(rng):
    params = random_params(np.random.default_rng(16), K=2, D=2, n_categories=(5,))
    params.cat_probs[0] = np.array([[0.0, 0.5, 0.0, 0.5, 0.0], [0.0, 0.2, 0.0, 0.8, 0.0]])
    _, Xcat = sample(params, 2000, rng)
    assert set(np.unique(Xcat).tolist()) <= {1, 3}
    Xc = np.zeros((500, 2))
    _, filled = conditional_sample(params, Xc, np.full((500, 1), -1), rng)
    assert set(np.unique(filled).tolist()) <= {1, 3}
