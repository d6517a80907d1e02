"""``impute`` suite in quick mode: every method and metric present, rows well-formed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genlab.bench import SUITES
from genlab.bench.rows import Row
from genlab.bench.suites import impute, impute_route


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def rows(figures):
    return impute.run(quick=True, out=figures)


def test_calibration_figure_of_each_tabular_case(rows, figures):
    (png,) = (figures / "figures").glob("*.png")
    assert png.name == "calibration_wine@mcar0.2.png" and png.read_bytes()[:4] == b"\x89PNG"


def test_quick_run_has_every_method_and_case(rows):
    assert all(isinstance(r, Row) and r.suite == "impute" and r.task == "impute" for r in rows)
    assert {r.dataset for r in rows} == {"wine@mcar0.2", "digits@pixels0.5"}
    baselines = set(impute.baselines())
    route = impute_route.route_method(quick=True)
    genlab_tabular = set(impute.tabular_models(quick=True)) | {"genlab.impute('mean')", route}
    by_case = {d: {r.method for r in rows if r.dataset == d} for d in {r.dataset for r in rows}}
    chosen = {d: {m for m in methods if "by hold-out" in m} for d, methods in by_case.items()}
    assert all(len(methods) == 2 for methods in chosen.values())  # the choice and the stack
    assert by_case["wine@mcar0.2"] == baselines | genlab_tabular | chosen["wine@mcar0.2"]
    image = set(impute.image_models(quick=True)) | chosen["digits@pixels0.5"] | {route}
    assert by_case["digits@pixels0.5"] == baselines | image
    assert SUITES["impute"] is impute.run


def test_chosen_and_stacked_variants_report_their_hold_out_scores(rows):
    for case, shape in (("wine@mcar0.2", (5, 13)), ("digits@pixels0.5", (5, 8, 8))):
        names = list(impute.imputer_candidates(np.zeros(shape), quick=True))
        (chosen,) = [
            r for r in rows if r.dataset == case and "chosen" in r.method and r.metric == "rmse"
        ]
        assert any(chosen.method == f"genlab.{n} chosen by hold-out, bootstrap=2" for n in names)
        assert chosen.note.count("n_components=") + chosen.note.count("bandwidth=") == len(names)
        (stacked,) = [
            r for r in rows if r.dataset == case and "stack" in r.method and r.metric == "rmse"
        ]
        assert stacked.method.startswith("genlab stack of ") and "weights " in stacked.note


def test_default_route_notes_its_plan_and_its_gap_to_the_best_genlab_row(rows):
    method = impute_route.route_method(quick=True)
    assert method == "genlab.impute default route (budget=5)"
    for case in ("wine@mcar0.2", "digits@pixels0.5"):
        (row,) = [
            r for r in rows if r.dataset == case and r.method == method and r.metric == "rmse"
        ]
        assert "plan: " in row.note and " candidates, 1 hold-out x " in row.note
        assert "x the best other genlab row (genlab" in row.note and "target <= 1.02x" in row.note


def test_rows_are_well_formed(rows):
    for r in rows:
        assert math.isfinite(r.value) and r.seconds >= 0
        if r.metric == "rmse":
            assert r.value > 0 and not r.higher_is_better and r.target is None
        else:
            assert r.metric == "coverage90" and 0 <= r.value <= 1 and r.higher_is_better
            assert r.target == 0.9  # reports rank coverage by its distance to 0.9
            assert r.dataset == "wine@mcar0.2"
            assert (
                r.method in impute.tabular_models(quick=True)
                or "by hold-out" in r.method
                or r.method == impute_route.route_method(quick=True)
            )
            assert "side target 0.85-0.95" in r.note
        if r.metric == "rmse" and r.method.startswith("genlab"):
            assert "x best baseline (sklearn." in r.note and "target <= 0.9x" in r.note


def test_mean_imputation_agrees_with_sklearn(rows):
    value = {r.method: r.value for r in rows if r.dataset == "wine@mcar0.2"}
    assert value["genlab.impute('mean')"] == pytest.approx(value["sklearn.SimpleImputer(mean)"])


def test_rmse_counts_only_the_masked_entries():
    truth = np.array([[0.0, 1.0], [2.0, 3.0]])
    filled = np.array([[9.0, 1.0], [2.0, 7.0]])
    mask = np.array([[False, True], [False, True]])
    assert impute.rmse(filled, truth, mask) == pytest.approx(np.sqrt(8.0))


def test_every_method_is_scored_on_the_same_split_and_metric(rows, scored_alike):
    # coverage90 needs multiple imputations: single imputers (mean, KNN, ...) have none
    scored_alike(rows, only_some=frozenset({"coverage90"}))
