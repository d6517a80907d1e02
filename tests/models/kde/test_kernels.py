"""Tests of ``log_gaussian_tied`` against a scipy.stats.multivariate_normal reference."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from genlab.core.errors import InputError
from genlab.models.kde.kernels import log_gaussian_tied

RNG = np.random.default_rng(0)
QUERIES = RNG.normal(size=(37, 3))  # (M, D)
MEANS = RNG.normal(size=(23, 3))  # (K, D)
COV_FULL = np.array([[1.0, 0.4, -0.2], [0.4, 0.8, 0.1], [-0.2, 0.1, 0.5]])
STDS = np.array([0.5, 1.2, 0.9])


def reference_terms(queries, means, cov, log_weights=None):
    """(M, K) log w_k + log N(q_m; mu_k, cov), one scipy call per component."""
    K = len(means)
    lw = np.full(K, -np.log(K)) if log_weights is None else log_weights - logsumexp(log_weights)
    cols = [multivariate_normal(mean=m, cov=cov).logpdf(queries) for m in means]
    return np.stack(cols, axis=1) + lw


@pytest.mark.parametrize(
    ("chol", "cov"),
    [
        (np.linalg.cholesky(COV_FULL), COV_FULL),
        (STDS, np.diag(STDS**2)),
        (0.3, 0.09 * np.eye(3)),
    ],
    ids=["full", "diagonal", "isotropic"],
)
def test_matches_scipy(chol, cov):
    expected = reference_terms(QUERIES, MEANS, cov)
    got = log_gaussian_tied(QUERIES, MEANS, chol)
    assert got.dtype == np.float64 and got.shape == (37,)
    np.testing.assert_allclose(got, logsumexp(expected, axis=1), rtol=0, atol=1e-10)
    terms = log_gaussian_tied(QUERIES, MEANS, chol, reduce=False)
    assert terms.shape == (37, 23)
    np.testing.assert_allclose(terms, expected, rtol=0, atol=1e-10)


def test_weights_and_zero_weight():
    lw = RNG.normal(size=23)
    lw[5] = -np.inf
    L = np.linalg.cholesky(COV_FULL)
    expected = reference_terms(QUERIES, MEANS, COV_FULL, lw)
    got = log_gaussian_tied(QUERIES, MEANS, L, log_weights=lw + 7.0)  # normalised inside
    np.testing.assert_allclose(got, logsumexp(expected, axis=1), rtol=0, atol=1e-10)
    terms = log_gaussian_tied(QUERIES, MEANS, L, log_weights=lw, reduce=False)
    assert np.all(terms[:, 5] == -np.inf)
    np.testing.assert_allclose(np.delete(terms, 5, 1), np.delete(expected, 5, 1), atol=1e-10)


def test_blocks_torch_inputs_and_far_queries():
    """Small batch_size, several mean blocks, torch inputs and rows that underflow agree."""
    means = RNG.normal(size=(5000, 2))
    queries = np.vstack([RNG.normal(size=(10, 2)), [[60.0, 0.0], [0.0, -90.0]]])
    expected = logsumexp(reference_terms(queries, means, 0.25 * np.eye(2)), axis=1)
    got = log_gaussian_tied(torch.tensor(queries), torch.tensor(means), 0.5, batch_size=3)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-10)
    assert got[-1] < -10_000  # every term underflows: recomputed with a running maximum


def test_empty_queries():
    assert log_gaussian_tied(np.empty((0, 3)), MEANS, 1.0).shape == (0,)
    assert log_gaussian_tied(np.empty((0, 3)), MEANS, 1.0, reduce=False).shape == (0, 23)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"queries": [[0.0, np.nan, 0.0]]}, "row 0, column 1"),
        ({"queries": np.zeros((2, 2))}, "columns"),
        ({"queries": np.zeros(3)}, "2-D"),
        ({"means": np.empty((0, 3))}, "empty"),
        ({"chol": COV_FULL}, "lower triangular"),
        ({"chol": np.diag([1.0, -1.0, 1.0])}, "positive definite"),
        ({"chol": np.array([1.0, 0.0, 1.0])}, "positive"),
        ({"chol": np.eye(2)}, "shape"),
        ({"log_weights": np.zeros(4)}, "shape"),
        ({"log_weights": np.full(23, -np.inf)}, "all -inf"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_bad_input_raises(kwargs, match):
    args = {"queries": QUERIES, "means": MEANS, "chol": 1.0} | kwargs
    queries, means, chol = args.pop("queries"), args.pop("means"), args.pop("chol")
    with pytest.raises(InputError, match=match):
        log_gaussian_tied(queries, means, chol, **args)
