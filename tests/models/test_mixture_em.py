"""Tests of the exact EM core of genlab.GaussianMixture (genlab/models/mixture/em.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from genlab.core.errors import InputError
from genlab.models.mixture.em import (
    MixtureParams,
    _add_chunk,
    _e_step,
    _fit_table,
    _gaussians,
    _initial_resp,
    _log_prior,
    _m_step,
    _make_prior,
    _Options,
    _ppca,
    _Stats,
    bic,
    conditional_mean,
    conditional_sample,
    fit_em,
    log_prob,
    n_parameters,
    responsibilities,
    sample,
    select_n_components,
)


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # Small matrices: on a busy machine BLAS threads only add waiting.
    with threadpool_limits(1, user_api="blas"):
        yield


def _blobs(rng, centers, n_per, scale=1.0):
    centers = np.asarray(centers, dtype=float)
    X = np.concatenate([rng.normal(c, scale, (n_per, len(c))) for c in centers])
    return X, np.repeat(np.arange(len(centers)), n_per)


def _random_params(rng, K=2, D=4, covariance_type="full", n_categories=(3,)):
    means = rng.normal(0, 2, (K, D))
    if covariance_type == "full":
        A = rng.normal(size=(K, D, D))
        cov = A @ A.transpose(0, 2, 1) / D + 0.3 * np.eye(D)
    else:
        cov = rng.uniform(0.3, 2.0, (K, D))
    cat = [rng.dirichlet(np.ones(c), size=K) for c in n_categories]
    return MixtureParams(rng.dirichlet(np.ones(K) * 3), means, cov, covariance_type, cat)


def _mcar(rng, X, frac):
    hidden = rng.random(X.shape) < frac
    hidden[hidden.all(axis=1), 0] = False  # keep every row observed somewhere
    return np.where(hidden, np.nan, X)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_complete_data_matches_sklearn(covariance_type):
    rng = np.random.default_rng(0)
    X, _ = _blobs(rng, [[0, 0, 0], [5, 5, 0], [-5, 0, 5]], 150)
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
def test_log_prob_marginalizes_missing_entries(covariance_type):
    rng = np.random.default_rng(1)
    params = _random_params(rng, covariance_type=covariance_type)
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


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_em_with_mcar_missing_recovers_the_mixture(covariance_type):
    rng = np.random.default_rng(2)
    true_cov = np.array([[1.0, 0.6, 0.3], [0.6, 1.0, 0.5], [0.3, 0.5, 1.0]])
    if covariance_type == "diag":
        true_cov = np.diag(np.diag(true_cov))
    X = np.concatenate(
        [rng.multivariate_normal(m, true_cov, 1000) for m in ([-3, -3, -3], [3, 3, 3])]
    )
    Xm = _mcar(rng, X, 0.2)
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


def test_conditional_sample_keeps_observed_and_averages_to_conditional_mean():
    rng = np.random.default_rng(3)
    params = _random_params(rng, K=3, D=4, n_categories=(3, 2))
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
    params = _random_params(rng, K=1, D=5, n_categories=())
    x = rng.normal(size=5)
    miss = np.array([False, True, False, True, True])
    query = np.where(miss, np.nan, x)[None]
    mu, S = params.means[0], params.covariances[0]
    o, m = ~miss, miss
    expected = mu[m] + S[np.ix_(m, o)] @ np.linalg.solve(S[np.ix_(o, o)], x[o] - mu[o])
    filled, _ = conditional_mean(params, query, None)
    np.testing.assert_allclose(filled[0, m], expected, rtol=1e-10)
    assert np.array_equal(filled[0, o], x[o])


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


def test_categorical_only_and_mixed_tables_round_trip():
    rng = np.random.default_rng(6)
    params = _random_params(rng, K=2, D=2, n_categories=(4, 3))
    Xc, Xcat = sample(params, 300, rng)
    assert Xc.shape == (300, 2) and Xcat.shape == (300, 2)
    assert ((Xcat >= 0) & (Xcat < [4, 3])).all()
    cat_only, loglik = fit_em(None, Xcat, [4, 3], 2, random_state=0)
    assert cat_only.n_continuous == 0 and np.isfinite(loglik)
    assert log_prob(cat_only, np.zeros((300, 0)), Xcat).mean() == pytest.approx(loglik)


def test_sample_matches_moments():
    rng = np.random.default_rng(7)
    params = _random_params(rng, K=2, D=3, n_categories=(3,))
    Xc, Xcat = sample(params, 40_000, rng=1)
    mean = params.weights @ params.means
    np.testing.assert_allclose(Xc.mean(axis=0), mean, atol=0.05)
    freq = np.bincount(Xcat[:, 0], minlength=3) / len(Xcat)
    np.testing.assert_allclose(freq, params.weights @ params.cat_probs[0], atol=0.01)


@pytest.mark.parametrize("prior", [False, True])
def test_bic_picks_the_right_number_of_components(prior):
    rng = np.random.default_rng(8)
    X, _ = _blobs(rng, [[0, 0], [8, 0], [0, 8]], 80)
    params, loglik, scores = select_n_components(
        X, None, [], range(1, 6), random_state=0, prior=prior
    )
    assert params.n_components == 3 and sorted(scores) == [1, 2, 3, 4, 5]
    assert min(scores, key=scores.get) == 3
    assert scores[3] == pytest.approx(bic(params, loglik, len(X)))


def test_n_parameters_counts_free_parameters():
    params = _random_params(np.random.default_rng(9), K=3, D=4, n_categories=(3, 5))
    assert n_parameters(params) == 2 + 3 * 4 + 3 * 10 + 3 * (2 + 4)
    params.covariance_type, params.covariances = "diag", np.ones((3, 4))
    assert n_parameters(params) == 2 + 3 * 4 + 3 * 4 + 3 * (2 + 4)


def test_fit_is_deterministic_given_random_state():
    X, _ = _blobs(np.random.default_rng(10), [[0, 0], [4, 4]], 50)
    X = _mcar(np.random.default_rng(11), X, 0.2)
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


# ----------------------------------------------------------------------------- MAP (prior)


def _full(params):
    cov = params.covariances
    return cov if params.covariance_type == "full" else np.stack([np.diag(v) for v in cov])


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_one_component_map_is_the_data_covariance_with_pseudo_rows(covariance_type):
    rng = np.random.default_rng(12)
    X = rng.normal(size=(50, 3)) @ rng.normal(size=(3, 3)) + 5.0
    n, D = X.shape
    cov = np.cov(X.T)  # K = 1: the prior's target C is the data covariance itself
    if covariance_type == "diag":
        cov = np.diag(np.diag(cov))
    d = D if covariance_type == "full" else 1  # m = w·(d + 2) pseudo-rows of C
    cases = [
        (True, (n - 1 + d + 2) / (n + d + 2)),
        (2.0, (n - 1 + 2 * (d + 2)) / (n + 2 * (d + 2))),
    ]
    for prior, factor in cases:
        params, _ = fit_em(
            X, None, [], 1, covariance_type=covariance_type, reg_covar=0.0, prior=prior
        )
        np.testing.assert_allclose(params.means[0], X.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(_full(params)[0], factor * cov, rtol=1e-10)
    # mclust's defaultPrior: Ψ = C (diag: the mean variance), ν = D + 2; Table 2 of Fraley &
    # Raftery (2007) then gives (Ψ + W) / (n + ν + D + 2), resp. (Ψ + W) / (n + ν + 3).
    params, _ = fit_em(
        X, None, [], 1, covariance_type=covariance_type, reg_covar=0.0, prior="mclust"
    )
    if covariance_type == "full":
        expected = n * cov / (n + 2 * D + 4)
    else:
        expected = (np.trace(cov) / D * np.eye(D) + (n - 1) * cov) / (n + D + 5)
    np.testing.assert_allclose(_full(params)[0], expected, rtol=1e-10)


def _options(covariance_type, prior):
    return _Options(
        covariance_type,
        reg_covar=0.0,
        max_iter=1,
        tol=0.0,
        init="random",
        cat_pseudocount=0.01,
        prior=prior,
    )


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_prior_m_step_maximizes_the_expected_log_posterior(covariance_type):
    rng = np.random.default_rng(13)
    X = rng.normal(size=(40, 3)) @ rng.normal(size=(3, 3))
    table = _fit_table(X, None, [])
    opts = _options(covariance_type, 1.5)
    prior = _make_prior(table, 2, opts)
    resp = rng.dirichlet([1.0, 1.0], size=len(X))
    stats = _Stats.zeros(2, 3, [], covariance_type == "full")
    _add_chunk(stats, table, slice(None), resp, None)
    best = _m_step(stats, opts, table.col_var, prior)

    def objective(means, cov):  # Σ_ik r_ik log N(x_i; μ_k, Σ_k) + log p(μ, Σ)
        params = MixtureParams(best.weights, means, cov, covariance_type)
        full = _full(params)
        loglik = sum(
            resp[:, k] @ multivariate_normal(means[k], full[k]).logpdf(table.Xc) for k in range(2)
        )
        return loglik + _log_prior(_gaussians(params), prior)

    top = objective(best.means, best.covariances)
    for _ in range(30):  # perturbations that keep Σ positive definite
        if covariance_type == "full":
            A = np.eye(3) + 0.02 * rng.normal(size=(2, 3, 3))
            cov = A @ best.covariances @ A.transpose(0, 2, 1)
        else:
            cov = best.covariances * np.exp(0.02 * rng.normal(size=best.covariances.shape))
        means = best.means + 0.02 * rng.normal(size=best.means.shape)
        assert objective(means, cov) < top


@pytest.mark.parametrize("prior", [True, "mclust"])
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_em_with_prior_never_decreases_the_log_posterior(covariance_type, prior):
    rng = np.random.default_rng(14)
    params = _random_params(rng, K=3, D=4, covariance_type=covariance_type, n_categories=(3,))
    Xc, Xcat = sample(params, 150, rng)
    Xc = _mcar(rng, Xc, 0.25)
    Xc[:12] = Xc[0]  # duplicate rows
    Xcat[::5, 0] = -1
    table = _fit_table(Xc, Xcat, [3])
    opts = _options(covariance_type, prior)
    K = 5
    prior = _make_prior(table, K, opts)
    stats = _Stats.zeros(K, 4, [3], covariance_type == "full")
    _add_chunk(stats, table, slice(None), _initial_resp(table, K, "random", rng), None)
    objective = []
    for _ in range(40):
        fitted = _m_step(stats, opts, table.col_var, prior)
        loglik, log_prior, stats = _e_step(fitted, table, prior)
        objective.append(loglik * len(Xc) + log_prior)
    objective = np.array(objective)
    assert (np.diff(objective) >= -1e-9 * np.abs(objective[1:])).all()
    assert objective[-1] > objective[0] + 1.0


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
        assert (np.linalg.eigvalsh(_full(params)) > 0).all()
        assert np.isfinite(log_prob(params, X, None)).all()
    if covariance_type == "full":  # maximum likelihood without reg_covar is singular here
        with pytest.raises(InputError, match="positive definite"):
            fit_em(X, None, [], 4, reg_covar=0.0, random_state=0, prior=False)


# ----------------------------------------------------------------------------- n_factors (PPCA)


def _ppca_data(rng, n=400, D=6, q=2):
    """Two components, each W Wᵀ + 0.1 I with W of rank q."""
    W = rng.normal(size=(2, D, q))
    z = rng.normal(size=(n, q))
    side = rng.random(n) < 0.5
    X = np.where(side[:, None], 3.0 + z @ W[0].T, -3.0 + z @ W[1].T)
    return X + np.sqrt(0.1) * rng.normal(size=(n, D))


def test_ppca_step_keeps_the_top_eigenpairs_and_averages_the_rest():
    rng = np.random.default_rng(20)
    A = rng.normal(size=(2, 5, 5))
    S = A @ A.transpose(0, 2, 1)  # (2, 5, 5)
    out = _ppca(S, 2)
    vals, vecs = np.linalg.eigh(S)
    new_vals, new_vecs = np.linalg.eigh(out)
    assert np.allclose(new_vals[:, 3:], vals[:, 3:])  # the two largest are kept
    assert np.allclose(new_vals[:, :3], vals[:, :3].mean(axis=1, keepdims=True))  # σ²
    assert np.allclose(np.abs(new_vecs[:, :, 3:]), np.abs(vecs[:, :, 3:]))
    assert _ppca(S, None) is S and _ppca(S, 5) is S


def test_ppca_step_is_the_best_low_rank_covariance_for_the_scatter():
    rng = np.random.default_rng(21)
    A = rng.normal(size=(1, 5, 5))
    S = A @ A.transpose(0, 2, 1)

    def objective(cov):  # the M-step's: -log|Σ| - tr(Σ⁻¹ S)
        return -np.linalg.slogdet(cov[0])[1] - np.trace(np.linalg.solve(cov[0], S[0]))

    best = _ppca(S, 2)
    vals, vecs = np.linalg.eigh(best[0])
    W = vecs[:, 3:] * np.sqrt(vals[3:] - vals[0])  # (5, 2)
    for _ in range(20):
        W2 = W + 0.05 * rng.normal(size=W.shape)
        sigma2 = vals[0] * np.exp(0.05 * rng.normal())
        assert objective((W2 @ W2.T + sigma2 * np.eye(5))[None]) < objective(best)


@pytest.mark.parametrize("prior", [0.0, True])
def test_em_with_factors_never_decreases_its_objective(prior):
    rng = np.random.default_rng(22)
    Xc = _mcar(rng, _ppca_data(rng), 0.2)
    table = _fit_table(Xc, None, [])
    opts = _Options("full", 0.0, 1, 0.0, "random", 0.01, prior, n_factors=2)
    prior = _make_prior(table, 3, opts)
    stats = _Stats.zeros(3, 6, [], True)
    _add_chunk(stats, table, slice(None), _initial_resp(table, 3, "random", rng), None)
    objective = []
    for _ in range(30):
        fitted = _m_step(stats, opts, table.col_var, prior)
        loglik, log_prior, stats = _e_step(fitted, table, prior)
        objective.append(loglik * len(Xc) + log_prior)
        vals = np.linalg.eigvalsh(fitted.covariances)
        assert np.allclose(vals[:, :4], vals[:, :1])  # D - q equal eigenvalues: W Wᵀ + σ² I
    objective = np.array(objective)
    assert (np.diff(objective) >= -1e-9 * np.abs(objective[1:])).all()


def test_factors_fit_low_rank_data_with_far_fewer_parameters():
    rng = np.random.default_rng(23)
    X, held = _ppca_data(rng, 600), _ppca_data(np.random.default_rng(24), 600)
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
