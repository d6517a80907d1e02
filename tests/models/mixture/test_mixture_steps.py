"""Tests of the steps of EM: the prior (prior.py), the M-step with its PPCA covariances (mstep.py)
and the E-step (estep.py) of genlab/models/mixture."""

from __future__ import annotations

import numpy as np
import pytest
from mixture_data import full_covariances, mcar, ppca_data, random_params
from scipy.stats import multivariate_normal

from genlab.models.mixture.conditional import gaussians
from genlab.models.mixture.em import fit_em
from genlab.models.mixture.estep import Stats, add_chunk, e_step
from genlab.models.mixture.inference import sample
from genlab.models.mixture.init import initial_resp
from genlab.models.mixture.mstep import m_step, ppca
from genlab.models.mixture.options import Options
from genlab.models.mixture.params import MixtureParams
from genlab.models.mixture.prior import log_prior, make_prior
from genlab.models.mixture.table import fit_table


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
        np.testing.assert_allclose(full_covariances(params)[0], factor * cov, rtol=1e-10)
    # mclust's defaultPrior: Ψ = C (diag: the mean variance), ν = D + 2; Table 2 of Fraley &
    # Raftery (2007) then gives (Ψ + W) / (n + ν + D + 2), resp. (Ψ + W) / (n + ν + 3).
    params, _ = fit_em(
        X, None, [], 1, covariance_type=covariance_type, reg_covar=0.0, prior="mclust"
    )
    if covariance_type == "full":
        expected = n * cov / (n + 2 * D + 4)
    else:
        expected = (np.trace(cov) / D * np.eye(D) + (n - 1) * cov) / (n + D + 5)
    np.testing.assert_allclose(full_covariances(params)[0], expected, rtol=1e-10)


def _options(covariance_type, prior):
    return Options(
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
    table = fit_table(X, None, [])
    opts = _options(covariance_type, 1.5)
    prior = make_prior(table, 2, opts)
    resp = rng.dirichlet([1.0, 1.0], size=len(X))
    stats = Stats.zeros(2, 3, [], covariance_type == "full")
    add_chunk(stats, table, slice(None), resp, None)
    best = m_step(stats, opts, table.col_var, prior)

    def objective(means, cov):  # Σ_ik r_ik log N(x_i; μ_k, Σ_k) + log p(μ, Σ)
        params = MixtureParams(best.weights, means, cov, covariance_type)
        full = full_covariances(params)
        loglik = sum(
            resp[:, k] @ multivariate_normal(means[k], full[k]).logpdf(table.Xc) for k in range(2)
        )
        return loglik + log_prior(gaussians(params), prior)

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
    params = random_params(rng, K=3, D=4, covariance_type=covariance_type, n_categories=(3,))
    Xc, Xcat = sample(params, 150, rng)
    Xc = mcar(rng, Xc, 0.25)
    Xc[:12] = Xc[0]  # duplicate rows
    Xcat[::5, 0] = -1
    table = fit_table(Xc, Xcat, [3])
    opts = _options(covariance_type, prior)
    K = 5
    prior = make_prior(table, K, opts)
    stats = Stats.zeros(K, 4, [3], covariance_type == "full")
    add_chunk(stats, table, slice(None), initial_resp(table, K, "random", rng), None)
    objective = []
    for _ in range(40):
        fitted = m_step(stats, opts, table.col_var, prior)
        loglik, logp_prior, stats = e_step(fitted, table, prior)
        objective.append(loglik * len(Xc) + logp_prior)
    objective = np.array(objective)
    assert (np.diff(objective) >= -1e-9 * np.abs(objective[1:])).all()
    assert objective[-1] > objective[0] + 1.0


def test_ppca_step_keeps_the_top_eigenpairs_and_averages_the_rest():
    rng = np.random.default_rng(20)
    A = rng.normal(size=(2, 5, 5))
    S = A @ A.transpose(0, 2, 1)  # (2, 5, 5)
    out = ppca(S, 2)
    vals, vecs = np.linalg.eigh(S)
    new_vals, new_vecs = np.linalg.eigh(out)
    assert np.allclose(new_vals[:, 3:], vals[:, 3:])  # the two largest are kept
    assert np.allclose(new_vals[:, :3], vals[:, :3].mean(axis=1, keepdims=True))  # σ²
    assert np.allclose(np.abs(new_vecs[:, :, 3:]), np.abs(vecs[:, :, 3:]))
    assert ppca(S, None) is S and ppca(S, 5) is S


def test_ppca_step_is_the_best_low_rank_covariance_for_the_scatter():
    rng = np.random.default_rng(21)
    A = rng.normal(size=(1, 5, 5))
    S = A @ A.transpose(0, 2, 1)

    def objective(cov):  # the M-step's: -log|Σ| - tr(Σ⁻¹ S)
        return -np.linalg.slogdet(cov[0])[1] - np.trace(np.linalg.solve(cov[0], S[0]))

    best = ppca(S, 2)
    vals, vecs = np.linalg.eigh(best[0])
    W = vecs[:, 3:] * np.sqrt(vals[3:] - vals[0])  # (5, 2)
    for _ in range(20):
        W2 = W + 0.05 * rng.normal(size=W.shape)
        sigma2 = vals[0] * np.exp(0.05 * rng.normal())
        assert objective((W2 @ W2.T + sigma2 * np.eye(5))[None]) < objective(best)


@pytest.mark.parametrize("prior", [0.0, True])
def test_em_with_factors_never_decreases_its_objective(prior):
    rng = np.random.default_rng(22)
    Xc = mcar(rng, ppca_data(rng), 0.2)
    table = fit_table(Xc, None, [])
    opts = Options("full", 0.0, 1, 0.0, "random", 0.01, prior, n_factors=2)
    prior = make_prior(table, 3, opts)
    stats = Stats.zeros(3, 6, [], True)
    add_chunk(stats, table, slice(None), initial_resp(table, 3, "random", rng), None)
    objective = []
    for _ in range(30):
        fitted = m_step(stats, opts, table.col_var, prior)
        loglik, logp_prior, stats = e_step(fitted, table, prior)
        objective.append(loglik * len(Xc) + logp_prior)
        vals = np.linalg.eigvalsh(fitted.covariances)
        assert np.allclose(vals[:, :4], vals[:, :1])  # D - q equal eigenvalues: W Wᵀ + σ² I
    objective = np.array(objective)
    assert (np.diff(objective) >= -1e-9 * np.abs(objective[1:])).all()
