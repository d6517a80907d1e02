"""Flow-specific behaviour; the shared contract is in test_contract.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.special import logsumexp

import genlab
from genlab.nn.interpolation import latent_path

TINY = {"transforms": 1, "hidden_features": 16, "max_epochs": 15, "progress": False}


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny networks: threads only add contention
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def iris():
    return genlab.load_dataset("iris")


@pytest.fixture(scope="module")
def nsf(iris):
    return genlab.Flow(**TINY).fit(iris.flat())


@pytest.fixture(scope="module")
def conditional(iris):
    return genlab.Flow(**{**TINY, "kind": "maf"}).fit(iris.flat(), iris.y)


@pytest.fixture(scope="module")
def mixed():
    ds = genlab.load_dataset("mixed_table")
    return ds, genlab.Flow(**{**TINY, "kind": "maf"}).fit(ds.X)


# ======================================================================== latents
def test_encode_decode_round_trip(nsf, iris):
    X = iris.flat()
    Z = nsf.encode(X)
    assert Z.shape == X.shape
    assert np.abs(nsf.decode(Z) - X).max() < 1e-4
    assert abs(Z.mean()) < 0.5 and 0.5 < Z.std() < 1.5  # roughly N(0, I) on training data


def test_coupling_flow_round_trip(iris):
    X = iris.flat()
    m = genlab.Flow(**{**TINY, "passes": 2, "max_epochs": 3}).fit(X)
    assert np.abs(m.decode(m.encode(X)) - X).max() < 1e-4


def test_conditional_latents_need_a_condition(conditional, iris):
    X = iris.flat()[100:105]
    Z = conditional.encode(X, condition=2)
    assert np.abs(conditional.decode(Z, condition=2) - X).max() < 1e-4
    with pytest.raises(genlab.InputError, match="class-conditional"):
        conditional.encode(X)


@pytest.mark.parametrize("method", ["slerp", "lerp"])
def test_interpolate_decodes_the_latent_path_between_the_endpoints(nsf, iris, method):
    X = iris.flat()
    path = nsf.interpolate(X[0], X[100], steps=6, method=method)
    assert path.shape == (6, 4)
    assert np.allclose(path[0], X[0], atol=1e-4) and np.allclose(path[-1], X[100], atol=1e-4)
    z = nsf.encode(X[[0, 100]])
    assert np.array_equal(path, nsf.decode(latent_path(z[0], z[1], 6, method)))
    with pytest.raises(genlab.InputError, match="steps"):
        nsf.interpolate(X[0], X[1], steps=1, method=method)


def test_lerp_is_the_straight_line_and_a_conditional_path_takes_the_condition(conditional, iris):
    X = iris.flat()
    line = conditional.interpolate(X[100], X[140], steps=5, method="lerp", condition=2)
    z = conditional.encode(X[[100, 140]], condition=2)
    t = np.linspace(0.0, 1.0, 5)[:, None]
    assert np.array_equal(line, conditional.decode((1 - t) * z[0] + t * z[1], condition=2))
    arc = conditional.interpolate(X[100], X[140], steps=5, method="slerp", condition=2)
    assert np.allclose(arc[[0, -1]], line[[0, -1]], atol=1e-9)
    assert not np.allclose(arc[1:-1], line[1:-1])
    with pytest.raises(genlab.InputError, match="class-conditional"):
        conditional.interpolate(X[100], X[140])


def test_an_untrained_flow_is_the_base_mixture():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(-4, 1, (150, 2)), rng.normal(4, 1, (150, 2))])
    test = np.concatenate([rng.normal(-4, 1, (100, 2)), rng.normal(4, 1, (100, 2))])
    start = genlab.Flow(**{**TINY, "max_epochs": 0, "tails": "gaussian"}).fit(X)
    assert start.module_config_["components"] >= 2  # chosen by held-out likelihood
    one = genlab.Flow(**{**TINY, "max_epochs": 0, "base_components": 1}).fit(X)
    assert start.score(test) > one.score(test) + 0.5  # two clusters, not one wide Gaussian


def test_a_single_column_flow_starts_as_its_base_and_round_trips(tmp_path):
    # one feature and no context: zuko builds an element-wise transform without a network
    X = np.random.default_rng(0).normal(3, 2, size=(200, 1))
    untrained = {**TINY, "max_epochs": 0, "base_components": 1}
    start = [genlab.Flow(**untrained, kind=kind).fit(X).log_prob(X) for kind in ("nsf", "maf")]
    assert np.allclose(*start)  # both identity transforms over the same base
    for kind in ("nsf", "maf"):
        m = genlab.Flow(**TINY, kind=kind).fit(X)
        assert np.abs(m.decode(m.encode(X)) - X).max() < 1e-4
        m.save(tmp_path / kind)
        assert np.array_equal(genlab.load_model(tmp_path / kind).log_prob(X), m.log_prob(X))


# ===================================================================== likelihood
def test_log_prob_is_in_the_users_units(iris):
    X = iris.flat()
    base = genlab.Flow(**TINY).fit(X).log_prob(X)
    scaled = genlab.Flow(**TINY).fit(10 * X).log_prob(10 * X)
    # the fixed whitening absorbs the scale: same flow, density divided by 10^D
    assert np.allclose(scaled, base - 4 * np.log(10), atol=1e-2)


def test_missing_numeric_entries_raise_and_the_estimate_matches_quadrature(nsf, iris):
    X = iris.flat()
    holes = X[:2].copy()
    holes[0, 2] = np.nan
    with pytest.raises(genlab.InputError, match="log_prob_estimate"):
        nsf.log_prob(holes)
    est = nsf.log_prob_estimate(holes, n_particles=4000, random_state=0)
    grid = np.linspace(X[:, 2].min() - 4, X[:, 2].max() + 4, 3000)
    rows = np.repeat(X[:1], len(grid), axis=0)
    rows[:, 2] = grid
    integral = logsumexp(nsf.log_prob(rows)) + np.log(grid[1] - grid[0])
    assert est[0] == pytest.approx(integral, abs=0.05)
    assert est[1] == nsf.log_prob(X[1:2])[0]  # complete rows: the exact value


def test_missing_categories_are_summed_out_exactly(mixed):
    ds, m = mixed
    rows = ds.X.head(3).copy()
    holes = rows.astype({"segment": object})
    holes.loc[0, "segment"] = None
    each = []
    for cat in ["a", "b", "c"]:
        filled = rows.copy()
        filled.loc[0, "segment"] = cat
        each.append(m.log_prob(filled)[0])
    assert m.log_prob(holes)[0] == pytest.approx(logsumexp(each), abs=1e-9)


def test_dequantized_bound_is_flagged(nsf):
    counts = np.random.default_rng(0).poisson(4.0, size=(120, 2))
    m = genlab.Flow(**TINY).fit(counts)
    assert m.likelihood_is_bound and not nsf.likelihood_is_bound
    assert np.isfinite(m.log_prob(counts[:5])).all()
    S = m.sample(20, random_state=0)
    assert np.issubdtype(S.dtype, np.integer)


# ================================================================= sample/impute
def test_conditional_sampling_follows_the_class(conditional, iris):
    S = conditional.sample(40, condition=0, random_state=1)
    setosa = iris.flat()[iris.y == 0]
    assert abs(S[:, 2].mean() - setosa[:, 2].mean()) < 0.3  # petal length of class 0


def test_impute_keeps_observed_entries_and_mean_is_deterministic(nsf, iris):
    X = iris.flat()[:20]
    holes = X.copy()
    holes[::2, 3] = np.nan
    holes[1::4, 0] = np.nan
    filled = nsf.impute(holes, random_state=0)
    seen = ~np.isnan(holes)
    assert np.array_equal(filled[seen], holes[seen]) and not np.isnan(filled).any()
    mean = nsf.impute(holes, method="mean", random_state=0)
    assert np.array_equal(mean, nsf.impute(holes, method="mean", random_state=0))
    # petal width is well predicted from petal length: the mean imputation is close
    assert np.abs(mean[::2, 3] - X[::2, 3]).mean() < 0.3


def test_mixed_table_samples_and_imputes_categories(mixed):
    ds, m = mixed
    S = m.sample(200, random_state=0)
    assert (S.dtypes == ds.X.dtypes).all()
    observed = ds.X["segment"].value_counts(normalize=True)
    drawn = S["segment"].value_counts(normalize=True)
    assert (drawn - observed).abs().max() < 0.1
    holes = ds.X.head(5).astype({"segment": object})
    holes.loc[[1, 3], "segment"] = None
    filled = m.impute(holes, method="mean")
    assert filled["segment"].isin(["a", "b", "c"]).all()


def test_a_mixed_table_flow_loads_with_its_category_table(mixed, tmp_path):
    ds, m = mixed
    m.save(tmp_path / "mixed")
    loaded = genlab.load_model(tmp_path / "mixed")
    rows = ds.X.head(20)
    assert np.array_equal(loaded.log_prob(rows), m.log_prob(rows))
    assert loaded.sample(10, random_state=3).equals(m.sample(10, random_state=3))


# ======================================================================== errors
def test_errors_are_clear(nsf, mixed):
    _, m = mixed
    with pytest.raises(genlab.InputError, match="numeric column"):
        genlab.Flow(**TINY).fit(pd.DataFrame({"a": pd.Categorical(["x", "y"] * 10)}))
    with pytest.raises(genlab.InputError, match="kind"):
        genlab.Flow(kind="realnvp").fit(np.zeros((10, 2)))
    with pytest.raises(genlab.InputError, match="hidden_features"):
        genlab.Flow(hidden_features=[0]).fit(np.zeros((10, 2)))
    with pytest.raises(genlab.InputError, match="categorical columns"):
        m.encode(m.sample(2, random_state=0))
    with pytest.raises(genlab.InputError, match=r"shape \(N, 4\)"):
        nsf.decode(np.zeros((2, 3)))
