"""Tests of the public latent interface of genlab.VAE / genlab.HierarchicalVAE (what bits-back
coding and benchmarks read), ``elbo_terms``, and the hierarchy's ``beta`` and ``latent_prior``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

import genlab

FAST = {"hidden": 32, "depth": 1, "max_epochs": 2, "progress": False, "random_state": 0}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def bottom_up(digits200) -> genlab.HierarchicalVAE:
    return genlab.HierarchicalVAE(latent_dim=3, lower_latent_dim=5, **FAST).fit(digits200)


@pytest.fixture(scope="module")
def vae(digits200) -> genlab.VAE:
    return genlab.VAE(latent_dim=4, **FAST).fit(digits200)


# ====================================================== the latent-coding interface
def test_layers_and_inference(vae, bottom_up, digits200):
    assert vae.latent_dims == (4,) and vae.latent_inference == "bottom_up"  # one layer: both
    assert bottom_up.latent_dims == (5, 3) and bottom_up.latent_inference == "bottom_up"
    top_down = genlab.HierarchicalVAE(latent_dim=2, inference="top_down", **FAST).fit(digits200)
    assert top_down.latent_inference == "top_down"
    with pytest.raises(genlab.CapabilityError, match="bottom_up"):
        top_down.latent_posterior(0, X=digits200.X[:2])
    with pytest.raises(genlab.NotFittedError):
        genlab.VAE().latent_dims  # noqa: B018


def test_posteriors_and_priors_are_the_networks(bottom_up, digits200):
    net, X = bottom_up.module_, digits200.X[:10]
    loc, scale = bottom_up.latent_posterior(0, X=X)
    assert loc.shape == scale.shape == (10, 5) and loc.dtype == scale.dtype == np.float64
    with torch.no_grad():
        q1 = net.posterior(0, h=net.ladder(bottom_up.network_rows(X), None))
        z1 = q1.base_dist.loc
        q2 = net.posterior(1, z_below=z1)
        p1 = net.prior(0, q2.base_dist.loc)
    np.testing.assert_allclose(loc, q1.base_dist.loc.double().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scale, q1.base_dist.scale.double().numpy(), rtol=1e-5)
    loc2, scale2 = bottom_up.latent_posterior(1, z_below=z1.numpy())
    np.testing.assert_allclose(loc2, q2.base_dist.loc.double().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scale2, q2.base_dist.scale.double().numpy(), rtol=1e-5)
    prior_loc, prior_scale = bottom_up.latent_layer_prior(0, q2.base_dist.loc.numpy())
    np.testing.assert_allclose(prior_loc, p1.base_dist.loc.double().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(prior_scale, p1.base_dist.scale.double().numpy(), rtol=1e-5)
    top = bottom_up.latent_layer_prior(1)
    assert np.array_equal(top[0], np.zeros((1, 3))) and np.array_equal(top[1], np.ones((1, 3)))


def test_tables_do_not_depend_on_the_batch(bottom_up, digits200):
    # what an entropy coder needs: a row's numbers whatever rows come with it
    few, many = (
        bottom_up.latent_posterior(0, X=digits200.X[:3]),
        bottom_up.latent_posterior(0, X=digits200.X[:100]),
    )
    assert np.array_equal(few[0], many[0][:3]) and np.array_equal(few[1], many[1][:3])
    z = np.random.default_rng(0).normal(size=(100, 5))
    assert np.array_equal(bottom_up.data_log_pmf(z[:3]), bottom_up.data_log_pmf(z)[:3])
    zt = z[:, :3]
    assert np.array_equal(
        bottom_up.latent_layer_prior(0, zt[:2])[0], bottom_up.latent_layer_prior(0, zt)[0][:2]
    )


def test_data_log_pmf_is_the_likelihood_per_column(vae):
    z = np.random.default_rng(1).normal(size=(6, 4))
    table = vae.data_log_pmf(z)
    assert table.shape == (6, 64, 17) and table.dtype == np.float64
    np.testing.assert_allclose(np.exp(table).sum(-1), 1.0, atol=1e-9)
    with torch.no_grad():
        lik = vae.module_.likelihood(torch.as_tensor(z, dtype=torch.float32))
        np.testing.assert_allclose(table[:, 7], lik.log_pmf(7).double().numpy(), atol=1e-5)
    assert vae.data_log_pmf(np.zeros((0, 4))).shape == (0, 64, 17)


def test_padding_levels_are_minus_infinity():
    X = pd.DataFrame({"a": np.arange(40) % 3, "b": np.arange(40) % 5})  # 3 and 5 levels
    m = genlab.VAE(latent_dim=1, **FAST).fit(X)
    table = m.data_log_pmf(np.zeros((2, 1)))
    assert table.shape == (2, 2, 5) and np.isneginf(table[:, 0, 3:]).all()
    assert np.isfinite(table[:, 1]).all()


def test_bad_requests_raise(vae, digits200):
    with pytest.raises(genlab.InputError, match="layer"):
        vae.latent_posterior(1, z_below=np.zeros((2, 4)))
    with pytest.raises(genlab.InputError, match="X="):
        vae.latent_posterior(0)
    with pytest.raises(genlab.InputError, match="shape"):
        vae.data_log_pmf(np.zeros((2, 3)))
    conditional = genlab.VAE(latent_dim=2, **FAST).fit(digits200, digits200.y)
    with pytest.raises(genlab.CapabilityError, match="unconditional"):
        conditional.data_log_pmf(np.zeros((1, 2)))
    table = genlab.VAE(latent_dim=1, **FAST).fit(np.random.default_rng(0).normal(size=(50, 2)))
    with pytest.raises(genlab.CapabilityError, match="discrete"):
        table.data_log_pmf(np.zeros((1, 1)))


# ========================================================================= elbo_terms
def test_elbo_terms_are_the_networks_one_sample_bound(bottom_up, digits200):
    X = digits200.X[:20]
    torch.manual_seed(5)
    terms = bottom_up.elbo_terms(X)
    torch.manual_seed(5)
    with torch.no_grad():
        out = bottom_up.module_(bottom_up.network_rows(X))
    assert np.array_equal(terms["elbo"], out["elbo"].double().numpy())
    assert np.array_equal(terms["rate"], out["rate"].sum(0).double().numpy())
    np.testing.assert_allclose(terms["elbo"], -terms["distortion"] - terms["rate"], rtol=1e-5)
    seeded = bottom_up.elbo_terms(X, random_state=3)
    assert np.array_equal(seeded["elbo"], bottom_up.elbo_terms(X, random_state=3)["elbo"])
    assert bottom_up.elbo_terms(X[:0])["elbo"].shape == (0,)


def test_elbo_terms_of_a_conditional_model_need_the_condition(digits200):
    m = genlab.VAE(latent_dim=2, **FAST).fit(digits200, digits200.y)
    with pytest.raises(genlab.InputError, match="condition"):
        m.elbo_terms(digits200.X[:3])
    assert m.elbo_terms(digits200.X[:3], condition=digits200.y[:3])["elbo"].shape == (3,)


# ================================================= the hierarchy's beta and prior
def test_hierarchy_takes_beta_and_keeps_it_through_clone_and_save(digits200, tmp_path):
    m = genlab.HierarchicalVAE(latent_dim=2, beta=4.0, **FAST)
    assert m.get_params()["beta"] == 4.0 and clone(m).beta == 4.0
    m.fit(digits200)
    default = genlab.HierarchicalVAE(latent_dim=2, **FAST).fit(digits200)
    explicit = genlab.HierarchicalVAE(latent_dim=2, beta=1.0, **FAST).fit(digits200)
    X = digits200.X[:10]
    assert np.array_equal(default.log_prob(X), explicit.log_prob(X))
    assert not np.array_equal(default.log_prob(X), m.log_prob(X))
    assert genlab.load_model(m.save(tmp_path / "m")).beta == 4.0
    with pytest.raises(genlab.InputError, match="beta"):
        genlab.HierarchicalVAE(beta=0, **FAST).fit(digits200)


def test_a_hierarchy_saved_before_it_had_beta_loads_with_the_defaults(digits200, tmp_path):
    m = genlab.HierarchicalVAE(latent_dim=2, **FAST).fit(digits200)
    folder = m.save(tmp_path / "old")
    config = json.loads((folder / "model.json").read_text())
    del config["params"]["beta"], config["params"]["latent_prior"]
    (folder / "model.json").write_text(json.dumps(config))
    old = genlab.load_model(folder)
    assert old.beta == 1.0 and old.latent_prior == "normal"
    assert np.array_equal(old.log_prob(digits200.X[:5]), m.log_prob(digits200.X[:5]))


def test_hierarchy_with_a_class_prior(digits200):
    m = genlab.HierarchicalVAE(latent_dim=2, latent_prior="class", **FAST).fit(
        digits200, digits200.y
    )
    assert m.encode(digits200.X[:4]).shape == (4, 2)  # the encoder never sees the label
    assert m.sample(3, condition=7, random_state=0).shape == (3, 8, 8)
    assert np.isfinite(m.log_prob(digits200.X[:4], condition=digits200.y[:4])).all()
    assert m.decode(np.zeros((2, 2))).shape == (2, 8, 8)
    with pytest.raises(genlab.InputError, match="class labels"):
        genlab.HierarchicalVAE(latent_prior="class", **FAST).fit(digits200)
