"""Tests of fitting by EM (genlab/models/mixture/em.py), with the checks of tables and options."""

from __future__ import annotations

import numpy as np
import pytest
from mixture_data import blobs, full_covariances, mcar, ppca_data
from sklearn.mixture import GaussianMixture

from genlab.core.errors import InputError
from genlab.models.mixture.em import fit_em
from genlab.models.mixture.inference import log_prob, responsibilities
from genlab.models.mixture.params import MixtureParams
from genlab.models.mixture.select import bic, n_parameters


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_complete_data_matches_sklearn(covariance_type):
    rng = np.random.default_rng(0)
    X, _ = blobs(rng, [[0, 0, 0], [5, 5, 0], [-5, 0, 5]], 150)
    X[:150] = X[:150] @ np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.0, 0.0, 1.0]])
    params, loglik = fit_em(
        X,
        None,
        [],
        3,
        covariance_type=covariance_type,
        tol=1e-10,
        max_iter=1000,
        random_state=0,
        prior=False,
    )
    assert (
        fit_em(X, None, [], 3, covariance_type=covariance_type, random_state=0, prior=0.0)[1]
        == fit_em(X, None, [], 3, covariance_type=covariance_type, random_state=0, prior=False)[1]
    )
    gm = GaussianMixture(3, covariance_type=covariance_type, tol=1e-10, max_iter=1000)
    gm.fit(X)
    assert loglik == pytest.approx(gm.score(X), abs=1e-6)
    assert log_prob(params, X, None).mean() == pytest.approx(loglik, abs=1e-12)
    theirs = MixtureParams(gm.weights_, gm.means_, gm.covariances_, covariance_type)
    np.testing.assert_allclose(log_prob(theirs, X, None), gm.score_samples(X), rtol=1e-10)
    np.testing.assert_allclose(responsibilities(theirs, X, None), gm.predict_proba(X), atol=1e-10)
    assert bic(theirs, gm.score(X), len(X)) == pytest.approx(gm.bic(X), rel=1e-12)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_em_with_mcar_missing_recovers_the_mixture(covariance_type):
    rng = np.random.default_rng(2)
    true_cov = np.array([[1.0, 0.6, 0.3], [0.6, 1.0, 0.5], [0.3, 0.5, 1.0]])
    if covariance_type == "diag":
        true_cov = np.diag(np.diag(true_cov))
    X = np.concatenate(
        [rng.multivariate_normal(m, true_cov, 1000) for m in ([-3, -3, -3], [3, 3, 3])]
    )
    Xm = mcar(rng, X, 0.2)
    params, _ = fit_em(
        Xm, None, [], 2, covariance_type=covariance_type, random_state=0, prior=False
    )
    order = np.argsort(params.means[:, 0])
    np.testing.assert_allclose(params.means[order], [[-3] * 3, [3] * 3], atol=0.15)
    np.testing.assert_allclose(params.weights, 0.5, atol=0.03)
    cov = params.covariances[order]
    if covariance_type == "diag":
        cov = np.stack([np.diag(v) for v in cov])
    np.testing.assert_allclose(cov, np.stack([true_cov] * 2), atol=0.15)
    # Without the conditional-covariance correction the variances shrink to about 0.85.
    assert np.diagonal(cov, axis1=1, axis2=2).mean() == pytest.approx(1.0, abs=0.05)


def test_categorical_columns_are_fitted():
    rng = np.random.default_rng(5)
    theta = [np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]), np.array([[0.9, 0.1], [0.2, 0.8]])]
    z = np.repeat([0, 1], 1000)
    Xc = rng.normal(np.where(z == 0, -4.0, 4.0), 1.0)[:, None]
    Xcat = np.stack([[rng.choice(len(t[k]), p=t[k]) for k in z] for t in theta], axis=1)
    Xcat[rng.random(Xcat.shape) < 0.1] = -1
    Xc[(rng.random(len(Xc)) < 0.1) & (Xcat >= 0).any(axis=1)] = np.nan
    params, _ = fit_em(Xc, Xcat, [3, 2], 2, random_state=0)
    order = np.argsort(params.means[:, 0])
    for fitted, true in zip(params.cat_probs, theta, strict=True):
        np.testing.assert_allclose(fitted[order], true, atol=0.05)
    # A category no row shows keeps a small nonzero probability (Dirichlet pseudo-count).
    unseen, _ = fit_em(None, np.array([[0], [1], [0], [1]]), [3], 1, random_state=0)
    assert 0 < unseen.cat_probs[0][0, 2] < 0.01


def test_fit_is_deterministic_given_random_state():
    X, _ = blobs(np.random.default_rng(10), [[0, 0], [4, 4]], 50)
    X = mcar(np.random.default_rng(11), X, 0.2)
    a = fit_em(X, None, [], 2, n_init=2, random_state=3)
    b = fit_em(X, None, [], 2, n_init=2, random_state=3)
    assert a[1] == b[1] and np.array_equal(a[0].covariances, b[0].covariances)


@pytest.mark.parametrize(
    ("Xc", "Xcat", "n_categories", "k", "match"),
    [
        ([[1.0, 2.0], [3.0, 4.0], [np.nan, np.nan]], None, [], 1, "row 2"),
        ([[1.0, np.nan], [3.0, np.nan]], None, [], 1, "column 1 of Xc"),
        ([[1.0], [2.0]], [[-1], [-1]], [2], 1, "column 0 of Xcat"),
        ([[1.0], [np.nan]], [[0], [-1]], [2], 1, "row 1"),
        ([[1.0], [2.0]], [[0], [2]], [2], 1, r"Xcat\[1, 0\]"),
        ([[1.0], [np.inf]], None, [], 1, r"Xc\[1, 0\]"),
        ([[1.0], [2.0]], [[0]], [2], 1, "rows"),
        ([[1.0], [2.0]], None, [], 3, "n_components"),
        ([[1.0], [2.0]], [[0], [1]], [], 1, "n_categories"),
        (None, None, [], 1, "at least one"),
    ],
)
def test_bad_input_raises_input_error(Xc, Xcat, n_categories, k, match):
    Xc = None if Xc is None else np.array(Xc)
    Xcat = None if Xcat is None else np.array(Xcat)
    with pytest.raises(InputError, match=match):
        fit_em(Xc, Xcat, n_categories, k)


def test_bad_options_and_mismatched_tables_raise_input_error():
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(InputError, match="covariance_type"):
        fit_em(X, None, [], 1, covariance_type="spherical")
    with pytest.raises(InputError, match="init"):
        fit_em(X, None, [], 1, init="nope")
    for prior in (-1.0, np.nan, "nope", None):
        with pytest.raises(InputError, match="prior"):
            fit_em(X, None, [], 1, prior=prior)
    params, _ = fit_em(X, None, [], 1)
    with pytest.raises(InputError, match="columns"):
        log_prob(params, np.zeros((2, 3)), None)


@pytest.mark.filterwarnings("ignore:Number of distinct clusters")
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_prior_keeps_covariances_positive_definite_on_degenerate_data(covariance_type):
    rng = np.random.default_rng(15)
    X = np.repeat(rng.normal(size=(6, 4)), 10, axis=0)  # 60 rows, 6 distinct
    X[:, 2] = 3.0  # a constant column
    holes = X.copy()
    holes[::7, 0] = np.nan
    few = X[::10][:3]  # fewer rows than columns
    for data, K in [(X, 1), (X, 4), (X, 8), (holes, 4), (few, 1), (few, 3)]:
        params, loglik = fit_em(
            data,
            None,
            [],
            K,
            covariance_type=covariance_type,
            reg_covar=0.0,
            random_state=0,
            prior=True,
        )
        assert np.isfinite(loglik)
        assert (np.linalg.eigvalsh(full_covariances(params)) > 0).all()
        assert np.isfinite(log_prob(params, X, None)).all()
    if covariance_type == "full":  # maximum likelihood without reg_covar is singular here
        with pytest.raises(InputError, match="positive definite"):
            fit_em(X, None, [], 4, reg_covar=0.0, random_state=0, prior=False)


def test_factors_fit_low_rank_data_with_far_fewer_parameters():
    rng = np.random.default_rng(23)
    X, held = ppca_data(rng, 600), ppca_data(np.random.default_rng(24), 600)
    low, _ = fit_em(X, None, [], 2, n_factors=2, random_state=0, prior=False)
    full, _ = fit_em(X, None, [], 2, random_state=0, prior=False)
    assert low.n_factors == 2 and n_parameters(low) == 1 + 2 * 6 + 2 * (6 * 2 - 1 + 1)
    assert n_parameters(full) == 1 + 2 * 6 + 2 * 21
    # The constrained fit is as good held out (the data are low rank) with 24 covariance
    # parameters instead of 42.
    assert log_prob(low, held, None).mean() > log_prob(full, held, None).mean() - 0.02
    with pytest.raises(InputError, match="full covariances"):
        fit_em(X, None, [], 2, n_factors=2, covariance_type="diag")
    for bad in (0, 1.5, True, "2"):
        with pytest.raises(InputError, match="n_factors"):
            fit_em(X, None, [], 2, n_factors=bad)
