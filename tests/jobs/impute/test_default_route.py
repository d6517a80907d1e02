"""The default route, ``impute(X)`` with no model: plan, fill, report, draws, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genlab
from genlab.data import masks
from genlab.jobs.impute import AutoImputer, impute, load_imputer
from genlab.jobs.impute.budget import (
    FULL,
    LADDER,
    estimate_fit_seconds,
    final_refits,
    plan_route,
)
from genlab.jobs.impute.fill import impute as impute_with
from genlab.jobs.impute.select import select_imputer

COSTS = {f"K={k}": 0.05 * k for k in range(1, 6)} | {f"K={k}, q": 0.1 * k for k in range(1, 6)}


def small_table(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(X, holes)``: 3 correlated columns, 20% of the entries missing at random."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) @ np.array([[1.0, 0.8, 0.3], [0.0, 0.6, 0.4], [0.0, 0.0, 0.9]])
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=seed + 1))
    return X, holes[~np.isnan(holes).all(axis=1)]


def two_mixtures() -> dict:
    return {f"K{k}": genlab.GaussianMixture(n_components=k, prior=0.1) for k in (1, 2)}


# ======================================================================== the plan
def test_an_ample_budget_plans_the_full_route():
    plan = plan_route(COSTS, 1e6, n_workers=2)
    assert plan.candidates == tuple(COSTS) and not plan.reduced
    assert (plan.n_repeats, plan.select_refits, plan.final_refits) == FULL[1:]
    assert plan.seconds <= plan.budget == 1e6


def test_a_tiny_budget_plans_the_smallest_route_and_says_it_is_over():
    plan = plan_route(COSTS, 0.01)
    assert plan.reduced and plan.candidates == ("K=1",)  # the cheapest one
    assert (plan.select_refits, plan.final_refits) == LADDER[-1][2:]
    assert plan.seconds > plan.budget and "of 0 s" in plan.describe()


def test_a_smaller_budget_never_plans_more_work():
    budgets = [1.0, 5.0, 20.0, 60.0, 200.0, 1000.0, 1e5]
    plans = [plan_route(COSTS, b) for b in budgets]
    seconds = [p.seconds for p in plans]
    assert seconds == sorted(seconds)
    assert all(p.seconds <= p.budget for p in plans[1:])  # all but the smallest fit
    sizes = [len(p.candidates) for p in plans]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1] == len(COSTS)
    dropped = [set(COSTS) - set(p.candidates) for p in plans]
    for gone in dropped:  # the dearest go first
        kept_max = max((COSTS[n] for n in COSTS if n not in gone), default=0)
        assert all(COSTS[n] >= kept_max for n in gone)


def test_more_workers_afford_more():
    one = plan_route(COSTS, 30.0, n_workers=1)
    many = plan_route(COSTS, 30.0, n_workers=16)
    assert one.reduced and not many.reduced


def test_final_refits_fit_the_time_left():
    assert final_refits(1.0, 1e6) == FULL[3]  # never more than the full route's
    few = final_refits(1.0, 20.0)
    assert LADDER[-1][3] <= few < FULL[3] and final_refits(1.0, 20.0, n_workers=2) > few
    assert final_refits(1.0, 0.0) == LADDER[-1][3]  # late: the smallest, not none


def test_pilot_fits_time_one_candidate_per_family():
    X, _ = small_table()
    candidates = two_mixtures() | {"kde": genlab.KDE(bandwidth=1.0)}
    seconds = estimate_fit_seconds(candidates, X)
    assert list(seconds) == list(candidates) and all(s > 0 for s in seconds.values())
    assert seconds["K2"] > seconds["K1"]  # scaled from the K1 pilot


@pytest.mark.parametrize("budget", [0, -1.0, float("nan"), "fast", True])
def test_bad_budgets_are_refused(budget):
    with pytest.raises(genlab.InputError, match="budget must be a positive number"):
        plan_route(COSTS, budget)
    _, holes = small_table()
    with pytest.raises(genlab.InputError, match="budget must be a positive number"):
        impute(holes, budget=budget, n_jobs=1)


# ===================================================================== the route
def test_default_route_fills_holes_and_keeps_observed_entries_bit_identical():
    _, holes = small_table()
    filled, report = impute(holes, budget=5, random_state=0, n_jobs=1, return_report=True)
    observed = ~np.isnan(holes)
    assert np.isfinite(filled).all() and filled.shape == holes.shape
    assert np.array_equal(filled[observed], holes[observed])
    assert set(report.choice.scores) == set(report.plan.candidates)
    assert sum(report.members.values()) == pytest.approx(1.0)
    text = str(report)
    assert text.startswith("Default route") and "Hold-out RMSE (column stds" in text
    assert f"bagged over {report.final_refits} refits" in text


def test_default_route_keeps_a_mixed_tables_types():
    df = genlab.load_dataset("mixed_table").X.iloc[:150]
    holes = masks.apply_mask(df, masks.mcar(df.shape, 0.15, random_state=0))
    filled = impute(holes, budget=5, random_state=0, n_jobs=1)
    assert list(filled.columns) == list(df.columns) and filled.notna().all().all()
    assert filled.dtypes.tolist() == holes.dtypes.tolist()
    for name in df.columns:
        kept = holes[name].notna()
        assert (filled[name][kept].to_numpy() == holes[name][kept].to_numpy()).all()


def test_with_a_full_plan_it_is_the_assembled_route_bit_for_bit():
    _, holes = small_table(40)
    candidates = two_mixtures()
    auto = AutoImputer(1e5, candidates=candidates, random_state=0, n_jobs=1).fit(holes)
    assert not auto.report_.plan.reduced and auto.report_.final_refits == FULL[3]
    repeats, refits = FULL[1:3]
    choice = select_imputer(
        candidates, holes, n_repeats=repeats, bootstrap=refits, stack=True, random_state=0
    )
    assert auto.choice_ == choice
    by_hand = choice.stack(candidates, bootstrap=FULL[3], random_state=0).fit(holes)
    ours = impute(auto, holes, method="mean")
    assert np.array_equal(ours, impute(by_hand, holes, method="mean"))


def test_multiple_imputations_come_from_the_same_ensemble(tmp_path):
    _, holes = small_table()
    missing = np.isnan(holes)
    draws = impute(holes, n_imputations=4, budget=5, random_state=0, n_jobs=1)
    assert len(draws) == 4 and all(np.array_equal(d[~missing], holes[~missing]) for d in draws)
    assert not np.array_equal(draws[0][missing], draws[1][missing])
    auto = AutoImputer(5, random_state=0, n_jobs=1).fit(holes)
    again = impute(auto, holes, n_imputations=4, random_state=0)
    stack = auto.imputer_
    same = zip(again, stack.impute(holes, 4, random_state=0), strict=True)
    assert all(np.array_equal(a, b) for a, b in same)
    kept = load_imputer(auto.save(tmp_path / "route"))  # saved as the stack of bagged members
    assert np.array_equal(impute(kept, holes, method="mean"), impute(auto, holes, method="mean"))


def test_a_model_as_first_argument_behaves_as_before():
    _, holes = small_table()
    model = genlab.GaussianMixture(n_components=1).fit(holes)
    assert genlab.impute is impute
    for kwargs in ({}, {"method": "mean"}, {"n_imputations": 3}, {"bootstrap": 2}):
        ours = impute(model, holes, random_state=0, **kwargs)
        before = impute_with(model, holes, random_state=0, **kwargs)
        assert np.array_equal(np.asarray(ours), np.asarray(before))
    assert np.array_equal(impute("mean", holes), impute_with("mean", holes))


def test_bad_combinations_raise_clear_input_errors():
    _, holes = small_table()
    model = genlab.GaussianMixture(n_components=1).fit(holes)
    cases = [
        ((), {}, "needs the data to fill: impute\\(X\\)"),
        ((model,), {}, "needs the data to fill: impute\\(model, X\\)"),
        (("mean",), {}, "needs the data"),
        ((holes, 3), {}, "got data twice"),
        ((pd.DataFrame(holes), holes), {}, "got data twice"),
        ((holes,), {"bootstrap": 5}, "sizes its own bootstrap refits"),
        ((holes,), {"condition": 1}, "unconditional"),
        ((holes,), {"n_imputations": 3, "method": "mean"}, "one imputation"),
        ((holes,), {"n_imputations": 0}, "n_imputations"),
        ((model, holes), {"budget": 10}, "belong to the default route"),
        ((model, holes), {"return_report": True}, "belong to the default route"),
        ((object(), holes), {}, "fitted genlab model"),
    ]
    for args, kwargs, message in cases:
        with pytest.raises(genlab.InputError, match=message):
            impute(*args, **kwargs)
    with pytest.raises(genlab.NotFittedError, match=r"call \.plan"):
        AutoImputer().score(holes)
    with pytest.raises(genlab.NotFittedError, match=r"call \.fit"):
        AutoImputer().impute(holes)
