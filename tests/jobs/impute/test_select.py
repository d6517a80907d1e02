"""Choosing an imputer by hold-out error: the right model wins, both settings, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genlab
from genlab.data import masks
from genlab.jobs.impute.select import candidate_grid, default_candidates, select_imputer


def two_clusters(n: int, seed: int = 0) -> np.ndarray:
    """Two clusters whose columns correlate with opposite signs: one Gaussian cannot impute."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 1))
    side = rng.random((n, 1)) < 0.5
    noise = 0.1 * rng.normal(size=(n, 3))
    return np.where(side, 4.0 + z * [1, 1, 1], -4.0 + z * [1, -1, -1]) + noise


def candidates() -> dict:
    return {f"K{k}": genlab.GaussianMixture(n_components=k, prior=0.1) for k in (1, 2)}


def test_mixture_with_the_true_structure_wins_on_a_table_with_holes():
    X = two_clusters(400)
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))
    holes = holes[~np.isnan(holes).all(axis=1)]  # a row with no entry cannot be fitted
    choice = select_imputer(candidates(), holes, random_state=0)  # the same seed as the holes
    assert choice.name == "K2" and list(choice.scores) == ["K1", "K2"]
    assert choice.scores["K2"] < 0.5 * choice.scores["K1"]
    observed = int((~np.isnan(holes)).sum())
    assert 0.1 * observed < choice.n_entries < 0.3 * observed


def test_candidates_share_their_resamples():
    X = two_clusters(200)
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))
    holes = holes[~np.isnan(holes).all(axis=1)]
    twins = {name: genlab.GaussianMixture(n_components=2) for name in ("first", "second")}
    choice = select_imputer(twins, holes, bootstrap=3, random_state=0, progress=False)
    assert choice.scores["first"] == choice.scores["second"]  # same model, same refits


def test_validation_rows_get_the_missing_patterns_of_x():
    train, test = two_clusters(300), two_clusters(50, seed=1)
    holes = test.copy()
    holes[:, 2] = np.nan  # every row misses column 2 only
    choice = select_imputer(candidates(), holes, fit_data=train, holdout=0.2, bootstrap=2)
    assert choice.name == "K2" and choice.n_entries == 60  # 60 validation rows, 1 hole each
    assert choice.units == "column stds"


def test_default_candidates_for_images_need_complete_rows_for_kernel_densities():
    images = np.zeros((3, 8, 8))
    without = default_candidates(images)
    assert all(getattr(c, "fits_missing", False) for c in without.values())
    assert set(default_candidates(images, fit_data=images)) - set(without) == {
        f"KDE(bandwidth={h})" for h in (3.0, 4.0, 5.0)
    }


def test_images_are_scored_in_pixel_levels():
    train, test = genlab.load_dataset("digits").split()
    holes = masks.apply_mask(test.X[:30].astype(float), masks.bottom_half((30, 8, 8)))
    choice = select_imputer(candidates(), holes, fit_data=train.subset(np.arange(300)))
    assert choice.units == "data units" and choice.n_entries == 60 * 32  # bottom halves
    assert all(1.0 < score < 8.0 for score in choice.scores.values())  # levels 0..16


def test_dataframes_with_categories_score_numeric_columns_only():
    X = two_clusters(300)
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(
        g=pd.Categorical(np.where(X[:, 0] > 0, "right", "left"))
    )
    holes = df.mask(pd.DataFrame(masks.mcar(df.shape, 0.2, random_state=0), columns=df.columns))
    holes = holes[holes.notna().any(axis=1)].reset_index(drop=True)
    choice = select_imputer(candidates(), holes, random_state=1)
    assert choice.name == "K2" and np.isfinite(list(choice.scores.values())).all()


def test_bad_requests_raise_input_error():
    X = two_clusters(40)
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))
    with pytest.raises(genlab.InputError, match="at least one candidate"):
        select_imputer({}, holes)
    for holdout in (0, 1, 1.5, True, "0.2"):
        with pytest.raises(genlab.InputError, match="holdout"):
            select_imputer(candidates(), holes, holdout=holdout)
    with pytest.raises(genlab.InputError, match="no missing entry"):
        select_imputer(candidates(), X, fit_data=X)
    with pytest.raises(genlab.InputError, match="too few"):
        select_imputer(candidates(), holes, fit_data=X[:2])
    with pytest.raises(genlab.InputError, match="columns"):
        select_imputer(candidates(), holes[:, :2], fit_data=X)
    with pytest.raises(genlab.InputError, match="no observed numeric entry"):
        select_imputer(candidates(), np.full((3, 2), np.nan))
    with pytest.raises(genlab.InputError, match=r"\['kde'\] cannot fit with missing values"):
        select_imputer({"kde": genlab.KDE(), **candidates()}, holes)  # before any fitting
    for n_repeats in (0, 1.5, True):
        with pytest.raises(genlab.InputError, match="n_repeats"):
            select_imputer(candidates(), holes, n_repeats=n_repeats)


def test_stacking_weights_score_no_worse_than_the_best_candidate():
    X = two_clusters(300)
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))
    holes = holes[~np.isnan(holes).all(axis=1)]
    choice = select_imputer(candidates(), holes, stack=True, random_state=0, progress=False)
    assert set(choice.weights) == {"K1", "K2"} and sum(choice.weights.values()) == pytest.approx(1)
    assert choice.weights["K2"] > 0.5  # the right structure carries the stack
    assert choice.stacked_score <= min(choice.scores.values()) + 1e-12
    stack = choice.stack(candidates())
    members = [name for name, w in choice.weights.items() if w > 0]
    assert list(stack.models) == members and not hasattr(stack.models[members[0]], "schema_")
    filled = genlab.impute(stack.fit(holes), holes, method="mean")
    assert np.isfinite(filled).all()


def test_stack_needs_stacking_weights():
    X = two_clusters(60)
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))
    choice = select_imputer(candidates(), holes, progress=False)
    assert choice.weights is None and choice.stacked_score is None
    with pytest.raises(genlab.InputError, match="stack=True"):
        choice.stack(candidates())
    stacked = select_imputer(candidates(), holes, stack=True, progress=False)
    with pytest.raises(genlab.InputError, match="not among"):
        stacked.stack({"other": genlab.GaussianMixture()})


def test_parallel_scoring_gives_the_same_scores():
    X = two_clusters(200)
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))
    holes = holes[~np.isnan(holes).all(axis=1)]
    one = select_imputer(candidates(), holes, bootstrap=2, stack=True, progress=False)
    two = select_imputer(candidates(), holes, bootstrap=2, stack=True, progress=False, n_jobs=2)
    assert one == two


def test_repeated_hold_outs_pool_independent_hidings():
    X = two_clusters(200)
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))
    holes = holes[~np.isnan(holes).all(axis=1)]
    once = select_imputer(candidates(), holes, stack=True, progress=False)
    assert select_imputer(candidates(), holes, n_repeats=1, stack=True, progress=False) == once
    thrice = select_imputer(candidates(), holes, n_repeats=3, stack=True, progress=False)
    assert 2.5 * once.n_entries < thrice.n_entries < 3.5 * once.n_entries
    assert thrice.name == "K2" and thrice.scores != once.scores  # other entries, same winner
    train, test = two_clusters(300), two_clusters(50, seed=1)
    test[:, 2] = np.nan
    rows = select_imputer(candidates(), test, fit_data=train, n_repeats=2, progress=False)
    assert rows.n_entries == 120  # two draws of 60 validation rows, 1 hole each


def test_candidate_grid_builds_the_registered_families_by_name():
    grid = candidate_grid([(2, 0.1, None)], [3.0])
    mixture, kde = grid.values()
    assert type(mixture) is genlab.FAMILIES["gmm"] and mixture.get_params()["n_components"] == 2
    assert type(kde) is genlab.FAMILIES["kde"] and kde.get_params()["bandwidth"] == 3.0
