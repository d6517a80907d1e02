"""``digits-superres`` in quick mode: every method scored on the same test digits, the
baselines as a user would run them, and genlab's samples consistent with their condition."""

from __future__ import annotations

import numpy as np
import pytest

from genlab.bench.suites import digits_superres


@pytest.fixture(scope="module")
def rows():
    return digits_superres.run(quick=True)


def test_every_method_has_its_rows(rows):
    got = {(r.method, r.metric) for r in rows}
    assert got == {
        ("PIL bicubic", "rmse"),
        ("PIL bicubic", "pooled_match"),
        ("sklearn KNeighborsRegressor", "rmse"),
        ("sklearn KNeighborsRegressor", "pooled_match"),
        ("genlab.Diffusion (mean of 16 draws)", "rmse"),
        ("genlab.Diffusion (one draw)", "rmse"),
        ("genlab.Diffusion", "pooled_match"),
    }
    assert {r.dataset for r in rows} == {"digits 4x4->8x8"}
    assert all(np.isfinite(r.value) for r in rows)


def test_genlab_samples_keep_their_condition(rows):
    match = {r.method: r.value for r in rows if r.metric == "pooled_match"}
    assert match["genlab.Diffusion"] == 1.0
    assert match["PIL bicubic"] < 1.0


def test_baselines_are_sensible():
    rng = np.random.default_rng(0)
    low = rng.uniform(0, 16, size=(30, 4, 4))
    up = digits_superres.bicubic(low, (8, 8), 16.0)
    assert up.shape == (30, 8, 8) and up.min() >= 0 and up.max() <= 16
    full = np.repeat(np.repeat(low, 2, axis=1), 2, axis=2)
    pred, params = digits_superres.knn_regression(low, full, low[:2])
    assert pred.shape == (2, 8, 8) and params["n_neighbors"] <= 24
    assert digits_superres.pooled_match(full, low) == 1.0


def test_every_method_is_scored_on_the_same_split_and_metric(rows, scored_alike):
    # the suite names genlab's pooled_match row "genlab.Diffusion" and its rmse rows by variant
    # ("one draw", "mean of 16 draws"): the rmse rows are compared alike, pooled_match apart
    scored_alike(rows, only_some=frozenset({"pooled_match"}))
    pooled = {r.method for r in rows if r.metric == "pooled_match"}
    assert {"PIL bicubic", "sklearn KNeighborsRegressor", "genlab.Diffusion"} <= pooled
