"""Tests of genlab.VAE and genlab.HierarchicalVAE beyond the shared contract: bounds, missing
values, latents, hyperparameters.

The bounds are checked against exact likelihoods computed by quadrature over a 1-d latent
(or a 2-d grid for two 1-d layers), on small integer tables where every probability is exact.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import genlab
from genlab.data import masks
from genlab.models.vae.distributions import ColumnsDistribution
from genlab.nn.interpolation import latent_path

TINY = {
    "hidden": 32,
    "depth": 1,
    "n_components": 2,
    "max_epochs": 40,
    "lr": 3e-3,
    "progress": False,
}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def pairs() -> np.ndarray:
    """Two correlated integer columns on 0..7 (the second is the first, jittered)."""
    rng = np.random.default_rng(0)
    a = rng.integers(0, 8, 400)
    b = np.clip(a + rng.integers(-1, 2, 400), 0, 7)
    return np.column_stack([a, b]).astype(np.int64)


@pytest.fixture(scope="module")
def vae1(pairs) -> genlab.VAE:
    return genlab.VAE(latent_dim=1, **TINY).fit(pairs)


@pytest.fixture(scope="module")
def digits():
    return genlab.load_dataset("digits").subset(np.arange(300))


def exact_log_prob(net, A: np.ndarray) -> np.ndarray:
    """log p(x_o) = log ∫ p(x_o | z) N(z; 0, 1) dz for a 1-d latent, by quadrature."""
    z = torch.linspace(-9, 9, 3001)[:, None]  # (G, 1)
    log_prior = -0.5 * z[:, 0] ** 2 - 0.5 * np.log(2 * np.pi)
    with torch.no_grad():
        lik = net.likelihood(z)
        out = []
        for row in torch.as_tensor(A, dtype=torch.float32):
            lp = lik.log_prob(row.expand(len(z), -1)) + log_prior  # (G,)
            out.append(float(torch.logsumexp(lp.double(), 0)) + np.log(18 / 3000))
    return np.array(out)


# ===================================================================== the bound
def test_iwae_bound_approaches_the_exact_likelihood_from_below(vae1, pairs):
    exact = exact_log_prob(vae1.module_, pairs[:40].astype(float))
    probs = np.exp(exact_log_prob(vae1.module_, np.indices((8, 8)).reshape(2, -1).T))
    assert probs.sum() == pytest.approx(1.0, abs=1e-4)  # the decoder is a normalized pmf
    elbo = vae1.set_params(n_importance=1).log_prob(pairs[:40])
    iwae = vae1.set_params(n_importance=2000).log_prob(pairs[:40])
    vae1.set_params(n_importance=100)
    assert elbo.mean() < iwae.mean() <= exact.mean() + 1e-3
    assert iwae.mean() == pytest.approx(exact.mean(), abs=0.02)


def test_missing_entries_give_the_bound_on_the_observed_marginal(vae1, pairs):
    holes = pairs[:30].astype(float)
    holes[::2, 1] = np.nan
    holes[1::2, 0] = np.nan
    exact = exact_log_prob(vae1.module_, holes)
    iwae = vae1.set_params(n_importance=2000).log_prob(holes)
    vae1.set_params(n_importance=100)
    assert iwae.mean() == pytest.approx(exact.mean(), abs=0.02)
    assert (iwae > vae1.log_prob(pairs[:30]) - 1e-6).mean() > 0.9  # a marginal beats the joint


def test_log_prob_is_deterministic_and_random_state_drives_it(pairs):
    m = genlab.VAE(latent_dim=1, **{**TINY, "max_epochs": 2}, n_importance=5).fit(pairs)
    assert np.array_equal(m.log_prob(pairs[:20]), m.log_prob(pairs[:20]))
    other = genlab.VAE(latent_dim=1, **{**TINY, "max_epochs": 2}, random_state=1).fit(pairs)
    assert not np.array_equal(other.log_prob(pairs[:20]), m.log_prob(pairs[:20]))


def test_large_continuous_values_keep_their_precision():
    rng = np.random.default_rng(0)
    X = 1e9 + rng.normal(size=(300, 2)) * [1.0, 2.0]
    m = genlab.VAE(latent_dim=1, **TINY).fit(X)
    assert m.network_rows(X).std(0, correction=0).tolist() == pytest.approx([1.0, 1.0], abs=1e-4)
    gauss = -0.5 * np.log(2 * np.pi * np.e) * 2 - np.log(2.0)  # the true mean log-density
    assert m.log_prob(X).mean() == pytest.approx(gauss, abs=0.3)
    assert np.abs(m.sample(200, random_state=0).mean(0) - 1e9).max() < 1.0


# ================================================================ missing values
def test_trains_with_missing_values_and_imputes_from_the_observed_column(pairs):
    holes = masks.apply_mask(pairs.astype(float), masks.mcar(pairs.shape, 0.2, random_state=0))
    m = genlab.VAE(latent_dim=1, **{**TINY, "max_epochs": 60}).fit(holes)
    test = pairs[:100].astype(float)
    test[:, 1] = np.nan
    for method in ("mean", "sample"):
        filled = m.impute(test, method=method, random_state=0)
        assert np.array_equal(filled[:, 0], pairs[:100, 0])
        error = np.abs(filled[:, 1] - pairs[:100, 1]).mean()
        assert error < 1.5, method  # ignoring column 0 would give ~2.6
    draws = m.impute(test, n_imputations=2, random_state=0)
    assert not np.array_equal(draws[0], draws[1])


def test_weighted_mean_imputes_the_most_probable_category():
    mixed = genlab.load_dataset("mixed_table")
    m = genlab.VAE(latent_dim=2, **TINY).fit(mixed.X)
    holes = mixed.X.head(20).copy()
    holes.loc[:, "segment"] = None
    filled = m.impute(holes, method="mean")
    assert filled["segment"].isin(["a", "b", "c"]).all()
    assert (filled["segment"] == mixed.X["segment"].head(20)).mean() > 0.5


# ======================================================================= latents
def test_encode_decode_interpolate_in_the_users_types(digits):
    m = genlab.VAE(latent_dim=4, **TINY).fit(digits)
    Z = m.encode(digits.X[:5])
    assert Z.shape == (5, 4) and Z.dtype == np.float64
    R = m.decode(Z)
    assert R.shape == (5, 8, 8) and np.issubdtype(R.dtype, np.integer)
    for method in ("slerp", "lerp"):
        path = m.interpolate(digits.X[0], digits.X[1], steps=6, method=method)
        assert path.shape == (6, 8, 8)
        assert np.array_equal(path[0], R[0]) and np.array_equal(path[-1], R[1])
    with pytest.raises(genlab.InputError, match="latent has 4"):
        m.decode(np.zeros((2, 3)))
    with pytest.raises(genlab.InputError, match="steps"):
        m.interpolate(digits.X[0], digits.X[1], steps=1)
    with pytest.raises(genlab.InputError, match="method"):
        m.interpolate(digits.X[0], digits.X[1], method="cubic")


def test_interpolate_decodes_the_latent_path_between_the_codes(digits):
    m = genlab.VAE(latent_dim=3, **{**TINY, "max_epochs": 2}).fit(digits, digits.y)
    ends = m.encode(digits.X[:2], condition=4)
    for method in ("slerp", "lerp"):
        path = latent_path(ends[0], ends[1], steps=5, method=method)
        expected = m.decode(path, condition=4)
        got = m.interpolate(digits.X[0], digits.X[1], steps=5, method=method, condition=4)
        assert np.array_equal(got, expected)


def test_conditional_vae_needs_the_condition_to_encode(digits):
    m = genlab.VAE(latent_dim=2, **{**TINY, "max_epochs": 3}).fit(digits, digits.y)
    with pytest.raises(genlab.InputError, match="condition"):
        m.encode(digits.X[:3])
    assert m.encode(digits.X[:3], condition=digits.y[:3]).shape == (3, 2)
    assert m.decode(np.zeros((2, 2)), condition=7).shape == (2, 8, 8)


def test_conv_architecture_on_images_only(digits, pairs):
    m = genlab.VAE(latent_dim=4, architecture="conv", conv_width=8, **{**TINY, "max_epochs": 3})
    m.fit(digits)
    assert m.sample(3, random_state=0).shape == (3, 8, 8) and m.sample(0).shape == (0, 8, 8)
    assert np.isfinite(m.log_prob(digits.X[:5])).all()
    with pytest.raises(genlab.InputError, match="images"):
        genlab.VAE(architecture="conv", **TINY).fit(pairs)


@pytest.mark.parametrize(
    "bad",
    [{"latent_dim": 0}, {"architecture": "rnn"}, {"n_importance": 0}, {"encoder_dropout": 1.5}],
)
def test_bad_hyperparameters_raise_input_errors(bad, pairs):
    with pytest.raises(genlab.InputError):
        genlab.VAE(**{**TINY, **bad}).fit(pairs)


# =================================================================== hierarchical
@pytest.mark.parametrize("inference", ["top_down", "bottom_up"])
def test_hierarchical_terms_and_per_layer_distributions(inference, pairs):
    m = genlab.HierarchicalVAE(
        latent_dim=1, lower_latent_dim=1, inference=inference, **{**TINY, "max_epochs": 5}
    ).fit(pairs)
    net, x = m.module_, m.network_rows(pairs[:16])
    g = torch.Generator().manual_seed(0)
    out = net(x, n_samples=3, generator=g)
    assert out["rate"].shape == (2, 48) and out["log_weight"].shape == (3, 16)
    assert torch.allclose(out["elbo"], -out["distortion"] - out["rate"].sum(0))
    # the same draws, recomputed from the per-layer distributions a bits-back coder uses
    z, _ = net.infer(x, n_samples=3, generator=torch.Generator().manual_seed(0))
    x3, h = x.repeat(3, 1), [t.repeat(3, 1) for t in net.ladder(x, None)]
    if inference == "bottom_up":
        q1, q2 = net.posterior(0, h=h), net.posterior(1, z_below=z[0])
    else:
        q2, q1 = net.posterior(1, h=h), net.posterior(0, h=h, z_above=z[1])
    log_w = (
        net.likelihood(z[0]).log_prob(x3)
        + net.prior(0, z[1]).log_prob(z[0])
        + net.prior(1).log_prob(z[1])
        - q1.log_prob(z[0])
        - q2.log_prob(z[1])
    )
    assert torch.allclose(log_w.view(3, 16), out["log_weight"], atol=1e-5)
    assert isinstance(net.likelihood(z[0]), ColumnsDistribution)
    assert m.encode(pairs[:4]).shape == (4, 1) and m.encode(pairs[:4], layer="all").shape == (4, 2)


def test_hierarchical_bound_against_two_dimensional_quadrature(pairs):
    m = genlab.HierarchicalVAE(latent_dim=1, lower_latent_dim=1, **TINY).fit(pairs)
    net, grid = m.module_, torch.linspace(-8, 8, 321)
    z2, z1 = (t.reshape(-1, 1) for t in torch.meshgrid(grid, grid, indexing="ij"))
    with torch.no_grad():
        log_joint_z = net.prior(1).log_prob(z2) + net.prior(0, z2).log_prob(z1)  # (G²,)
        lik = net.likelihood(z1)
        exact = np.array(
            [
                float(
                    torch.logsumexp((lik.log_prob(r.expand(len(z1), -1)) + log_joint_z).double(), 0)
                )
                for r in torch.as_tensor(pairs[:10], dtype=torch.float32)
            ]
        ) + 2 * np.log(16 / 320)
    iwae = m.set_params(n_importance=2000).log_prob(pairs[:10])
    assert iwae.mean() <= exact.mean() + 1e-3
    assert iwae.mean() == pytest.approx(exact.mean(), abs=0.05)


def test_every_parameter_gets_a_gradient(pairs):
    for m in (
        genlab.VAE(latent_dim=1, encoder_dropout=0.5, **{**TINY, "max_epochs": 1}),
        genlab.HierarchicalVAE(n_layers=3, inference="top_down", **{**TINY, "max_epochs": 1}),
        genlab.HierarchicalVAE(n_layers=3, inference="bottom_up", **{**TINY, "max_epochs": 1}),
    ):
        m.fit(pairs, pairs[:, 0] > 3)
        net = m.module_.train()
        codes = torch.as_tensor(pairs[:32, 0] > 3).long()
        (-net(torch.as_tensor(pairs[:32], dtype=torch.float32), codes)["elbo"].mean()).backward()
        missing = [n for n, p in net.named_parameters() if p.grad is None or not p.grad.any()]
        assert not missing, missing


def test_hierarchical_bad_hyperparameters(pairs):
    with pytest.raises(genlab.InputError, match="n_layers"):
        genlab.HierarchicalVAE(n_layers=1, **TINY).fit(pairs)
    with pytest.raises(genlab.InputError, match="inference"):
        genlab.HierarchicalVAE(inference="sideways", **TINY).fit(pairs)
