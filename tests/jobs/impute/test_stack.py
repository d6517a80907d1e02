"""Stacked imputation: weights, the pooled mean and draws, containers, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genlab
from genlab.data import masks
from genlab.jobs.impute import impute
from genlab.jobs.impute.stack import StackedImputer, stack_weights


@pytest.fixture(scope="module")
def table() -> tuple[np.ndarray, np.ndarray]:
    X = genlab.load_dataset("wine").X.to_numpy()[:, :5]
    return X, masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))


def fitted_pair(holes: np.ndarray) -> dict:
    return {k: genlab.GaussianMixture(n_components=k).fit(holes) for k in (1, 2)}


def test_weights_recover_an_exact_convex_combination():
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(size=(3, 200))
    truth = 0.2 * a + 0.8 * c
    assert stack_weights([a, b, c], truth) == pytest.approx([0.2, 0.0, 0.8], abs=1e-6)
    assert stack_weights([a], truth).tolist() == [1.0]
    # The best convex combination beats every vertex and the plain average.
    w = stack_weights([a, b, c], truth + 0.5 * rng.normal(size=200))
    assert w.sum() == pytest.approx(1) and (w >= 0).all()


def test_weights_reject_bad_input():
    with pytest.raises(genlab.InputError, match="must be"):
        stack_weights(np.zeros((2, 3)), np.zeros(4))
    with pytest.raises(genlab.InputError, match="finite"):
        stack_weights([[0.0, np.nan]], [0.0, 1.0])


def test_stacked_mean_is_the_weighted_mean_of_the_members(table):
    X, holes = table
    models = fitted_pair(holes)
    stack = StackedImputer(models, {1: 1.0, 2: 3.0})
    assert stack.weights == {1: 0.25, 2: 0.75}
    filled = impute(stack, holes, method="mean")
    means = [impute(models[k], holes, method="mean") for k in (1, 2)]
    assert np.allclose(filled, 0.25 * means[0] + 0.75 * means[1])
    observed = ~np.isnan(holes)
    assert (filled[observed] == X[observed]).all()  # bit-identical, not merely close
    only_first = impute(StackedImputer(models, {1: 1.0, 2: 0.0}), holes, method="mean")
    assert (only_first == means[0]).all()


def test_draws_are_shared_among_members_and_reproducible(table):
    X, holes = table
    stack = StackedImputer(fitted_pair(holes), {1: 0.5, 2: 0.5})
    draws = impute(stack, holes, n_imputations=8, random_state=3)
    again = impute(stack, holes, n_imputations=8, random_state=3)
    assert len(draws) == 8 and all(np.isfinite(d).all() for d in draws)
    assert all((d == e).all() for d, e in zip(draws, again, strict=True))
    assert len({d[np.isnan(holes)].tobytes() for d in draws}) == 8  # independent draws
    one = impute(stack, holes, random_state=0)
    assert isinstance(one, np.ndarray) and one.shape == X.shape


def test_stack_bags_unfitted_members_with_bootstrap(table):
    _, holes = table
    stack = StackedImputer(
        {k: genlab.GaussianMixture(n_components=k) for k in (1, 2)}, {1: 1, 2: 1}
    )
    filled = impute(stack, holes, method="mean", bootstrap=2, random_state=0)
    assert np.isfinite(filled).all() and not hasattr(stack.models[1], "schema_")
    draws = impute(stack, holes, n_imputations=3, bootstrap=2, random_state=0)
    assert len(draws) == 3


def test_dataframes_keep_dtypes_and_categories_by_weighted_vote():
    rng = np.random.default_rng(0)
    side = rng.random(200) < 0.5
    df = pd.DataFrame(
        {
            "x": np.where(side, 3.0, -3.0) + rng.normal(size=200),
            "g": pd.Categorical(np.where(side, "right", "left")),
        }
    )
    holes = df.copy()
    holes.loc[::5, "g"] = None
    holes.loc[2::5, "x"] = np.nan  # never in the same row as a missing g
    stack = StackedImputer(
        {k: genlab.GaussianMixture(n_components=k) for k in (1, 2)}, {1: 0.3, 2: 0.7}
    )
    filled = impute(stack.fit(holes), holes, method="mean")
    assert list(filled.dtypes) == list(df.dtypes) and filled.notna().all().all()
    assert set(filled["g"]) <= {"left", "right"}
    # The 2-component member (weight 0.7) outvotes the 1-component one: sides are recovered.
    assert (filled.loc[::5, "g"] == df.loc[::5, "g"]).mean() > 0.9


def test_bad_stacks_raise_input_error(table):
    _, holes = table
    models = fitted_pair(holes)
    with pytest.raises(genlab.InputError, match="at least one"):
        StackedImputer({}, {})
    with pytest.raises(genlab.InputError, match="name the models"):
        StackedImputer(models, {1: 1.0})
    for bad in ({1: -1.0, 2: 1.0}, {1: 0.0, 2: 0.0}, {1: np.nan, 2: 1.0}):
        with pytest.raises(genlab.InputError, match="weights"):
            StackedImputer(models, bad)
    with pytest.raises(genlab.InputError, match="not a genlab model"):
        StackedImputer({"a": object()}, {"a": 1.0})
    stack = StackedImputer(models, {1: 1.0, 2: 1.0})
    with pytest.raises(genlab.InputError, match="method"):
        impute(stack, holes, method="median")
    with pytest.raises(genlab.InputError, match="one imputation"):
        impute(stack, holes, n_imputations=2, method="mean")
    assert repr(stack) == "StackedImputer(1: 0.500, 2: 0.500)"
