"""AutoregressiveModel: exact likelihoods for every order, exact marginals, exact conditionals.

The shared behaviour (types, persistence, sklearn, errors) is in ``test_contract.py``; this file
checks what is specific to an any-order model, on tiny tables where sums over the whole grid
are cheap.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.special import logsumexp

import genlab
from genlab.models.autoregressive.network import random_observed
from genlab.models.autoregressive.paths import visit_order

FAST = {"hidden_sizes": (32,), "max_epochs": 20, "batch_size": 64, "lr": 3e-3, "progress": False}


@pytest.fixture(scope="module")
def small_table():
    """Three dependent discrete columns (integers 0..2 and 1..3, a category) and a float."""
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, 400)
    b = np.clip(a + rng.integers(0, 2, 400) + 1, 1, 3)
    c = np.where(a == 0, "x", np.where(rng.random(400) < 0.7, "y", "z"))
    return pd.DataFrame(
        {"a": a, "b": b, "c": pd.Categorical(c, ["x", "y", "z"]), "v": a + rng.normal(0, 0.3, 400)}
    )


@pytest.fixture(scope="module")
def discrete_model(small_table):
    return genlab.AutoregressiveModel(**FAST).fit(small_table[["a", "b", "c"]])


def all_rows() -> pd.DataFrame:
    grid = list(itertools.product(range(3), range(1, 4), ["x", "y", "z"]))
    frame = pd.DataFrame(grid, columns=["a", "b", "c"])
    return frame.astype({"c": pd.CategoricalDtype(["x", "y", "z"])})


@pytest.mark.parametrize("orders", [1, 3, [[2, 0, 1]]])
def test_probabilities_of_the_whole_grid_sum_to_one(discrete_model, orders):
    per_order = discrete_model.log_prob_orders(all_rows(), orders=orders)
    assert np.allclose(np.exp(logsumexp(per_order, axis=0)), 1.0, atol=1e-5)


def test_ensemble_is_the_mixture_of_orders(discrete_model):
    m = discrete_model
    per_order = m.log_prob_orders(all_rows(), orders=4)
    m.set_params(n_orders=4)
    try:
        assert np.allclose(m.log_prob(all_rows()), logsumexp(per_order, axis=1) - np.log(4))
    finally:
        m.set_params(n_orders=1)


def test_off_grid_integers_score_as_their_edge_bin(discrete_model, small_table):
    # the heads round and clip an integer to its grid; the network must condition on that
    # same value, or an outlier would move the other columns' probabilities
    rows = small_table[["a", "b", "c"]].head(5).copy()
    on_grid = discrete_model.log_prob(rows)
    for value, edge in ((7, 2), (1e9, 2), (-3, 0), (0.4, 0)):
        moved = rows.assign(a=np.full(len(rows), value, dtype=float))
        expected = discrete_model.log_prob(rows.assign(a=np.full(len(rows), edge)))
        assert np.array_equal(discrete_model.log_prob(moved), expected)
    assert np.array_equal(discrete_model.log_prob(rows), on_grid)


def test_marginal_is_the_sum_over_the_missing_entry(discrete_model):
    rows = all_rows()
    holes = rows.iloc[:3].astype({"a": "float64"})
    holes["a"] = np.nan  # a missing; the observed entries come first in the order
    marginal = discrete_model.log_prob(holes)
    joint = discrete_model.log_prob_orders(rows, orders=[[1, 2, 0]])[:, 0]  # a last
    for i in range(3):
        same = (rows["b"] == holes["b"][i]) & (rows["c"] == holes["c"][i])
        assert marginal[i] == pytest.approx(logsumexp(joint[same.to_numpy()]), abs=1e-5)


def test_continuous_marginal_matches_quadrature(small_table):
    m = genlab.AutoregressiveModel(**FAST).fit(small_table[["a", "v"]])
    grid = np.linspace(-3, 5, 3000)
    rows = pd.DataFrame({"a": np.ones(len(grid), np.int64), "v": grid})
    joint = m.log_prob_orders(rows, orders=[[0, 1]])[:, 0]
    marginal = m.log_prob(pd.DataFrame({"a": [1], "v": [np.nan]}))
    assert logsumexp(joint) + np.log(grid[1] - grid[0]) == pytest.approx(marginal[0], abs=1e-3)


def test_conditionals_chain_to_the_likelihood(discrete_model):
    A = discrete_model.schema_.encode(all_rows())
    order = [2, 0, 1]
    total = np.zeros(len(A))
    for t, j in enumerate(order):
        observed = np.zeros(A.shape, bool)
        observed[:, order[:t]] = True
        lp = discrete_model.conditional_log_pmf(A, observed, j)  # (N, L)
        lo = discrete_model.schema_.columns[j].levels[0] if j < 2 else 0
        total += lp[np.arange(len(A)), (A[:, j] - lo).astype(int)]
    expected = discrete_model.log_prob_orders(all_rows(), orders=[order])[:, 0]
    assert np.allclose(total, expected, atol=1e-5)


def test_imputations_follow_the_exact_conditional(discrete_model):
    holes = pd.DataFrame({"a": [2.0] * 3000, "b": [np.nan] * 3000})
    holes["c"] = pd.Categorical(["z"] * 3000, ["x", "y", "z"])
    draws = discrete_model.impute(holes, random_state=0)["b"].to_numpy()
    A = discrete_model.schema_.encode(holes.iloc[:1])
    observed = ~np.isnan(A)
    pmf = np.exp(discrete_model.conditional_log_pmf(A, observed, 1)[0])
    freq = np.bincount(draws.astype(int) - 1, minlength=3) / len(draws)
    assert np.abs(freq - pmf).max() < 0.03
    mean = discrete_model.impute(holes.iloc[:1], method="mean")["b"][0]
    # exact for the first missing column, and off the grid (the frame's column holds floats)
    assert mean == pytest.approx(pmf @ np.arange(1, 4), rel=1e-6)  # float32 network


def test_learns_dependencies_and_fits_with_missing_values(small_table):
    X = small_table[["a", "b", "c"]].astype({"a": "float64"})
    X.loc[::7, "a"] = np.nan
    m = genlab.AutoregressiveModel(**FAST).fit(X)
    joint = small_table[["a", "b", "c"]]
    independent = sum(
        np.log(joint[c].value_counts(normalize=True)[joint[c]].to_numpy()) for c in joint
    )
    assert m.log_prob(joint).mean() > independent.mean() + 0.2


def test_class_conditional_digits():
    ds = genlab.load_dataset("digits")
    ds = ds.subset(np.flatnonzero(ds.y < 3)[:200])
    m = genlab.AutoregressiveModel(**{**FAST, "max_epochs": 5}).fit(ds, ds.y)
    S = m.sample(4, condition=2, random_state=0)
    assert S.shape == (4, 8, 8) and S.min() >= 0 and S.max() <= 16
    assert m.log_prob_per_class(ds.X[:5]).shape == (5, 3)
    assert not m.likelihood_is_bound
    assert np.isfinite(m.log_prob_orders(ds.X[:2], orders=2)).all()
    holes = ds.X[:2].astype(float)
    holes[:, 4:] = np.nan
    filled = m.impute(holes, random_state=0)  # no condition: the class is drawn from p(c | x_o)
    assert filled.shape == (2, 8, 8) and np.array_equal(filled[:, :4], ds.X[:2, :4])


def test_colour_images_on_the_byte_grid():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (50, 4, 4, 3), dtype=np.uint8)
    m = genlab.AutoregressiveModel(**{**FAST, "max_epochs": 2}).fit(X)
    S = m.sample(3, random_state=0)
    assert S.shape == (3, 4, 4, 3) and S.dtype == np.uint8
    bits = m.bits_per_dim(X[:5])
    assert 0 < bits < 9  # random bytes: about 8 bits


def test_random_observed_and_visit_order():
    available = torch.tensor([[True, True, False, True]] * 500)
    observed = random_observed(available, generator=torch.Generator().manual_seed(0))
    assert not observed[:, 2].any()
    assert (observed.sum(1) < 3).all() and set(observed.sum(1).tolist()) == {0, 1, 2}
    prefix = random_observed(available, 1.0, torch.Generator().manual_seed(0))
    firsts = {(0, 0, 0, 0), (1, 0, 0, 0), (1, 1, 0, 0)}  # the first available entries
    assert {tuple(row) for row in prefix.int().tolist()} == firsts
    seq = visit_order(torch.tensor([[False, True, False, True]]), torch.tensor([3, 2, 1, 0]))
    assert seq.tolist() == [[3, 1, 2, 0]]


def test_bad_hyperparameters_and_orders_raise(small_table):
    X = small_table[["a", "b"]]
    with pytest.raises(genlab.InputError, match="hidden_sizes"):
        genlab.AutoregressiveModel(hidden_sizes=(0,), progress=False).fit(X)
    with pytest.raises(genlab.InputError, match="dropout"):
        genlab.AutoregressiveModel(dropout=1.5, progress=False).fit(X)
    m = genlab.AutoregressiveModel(**{**FAST, "max_epochs": 1}).fit(X)
    with pytest.raises(genlab.InputError, match="permutations"):
        m.log_prob_orders(X, orders=[[0, 0]])
    with pytest.raises(genlab.InputError, match="column must be"):
        m.conditional_log_pmf(m.schema_.encode(X), np.zeros((len(X), 2), bool), column=5)


def test_column_log_pmf_reads_the_conditional_params(small_table):
    m = genlab.AutoregressiveModel(**{**FAST, "max_epochs": 2}).fit(small_table[["a", "v"]])
    A = m.schema_.encode(small_table[["a", "v"]].head(70))
    observed = np.zeros(A.shape, bool)
    observed[:, 0] = True
    params = m.conditional_params(A, observed)
    assert params.shape == (70, m.module_.heads.n_params)
    assert torch.equal(m.conditional_params(A[:3], observed[:3]), params[:3])  # batch-free
    pmf = m.column_log_pmf(params, 0)  # integer column a: grid 0..2
    assert pmf.shape == (70, 3) and np.array_equal(pmf, m.conditional_log_pmf(A, observed, 0))
    edges = np.array([-np.inf, 0.0, 1.0, 2.0, np.inf])
    bins = m.column_log_pmf(params, 1, edges=edges)  # continuous v given a: 4 bins
    assert bins.shape == (70, 4) and np.allclose(np.exp(bins).sum(1), 1.0)
    with pytest.raises(genlab.InputError, match="continuous"):
        m.column_log_pmf(params, 1)
    with pytest.raises(genlab.InputError, match="discrete"):
        m.column_log_pmf(params, 0, edges=edges)
