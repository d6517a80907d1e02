"""``anomaly`` and ``classify`` suites in quick mode: well-formed rows for every method."""

from __future__ import annotations

import math

import pytest

from genlab.bench import SUITES
from genlab.bench.rows import Row
from genlab.bench.suites import anomaly, classify


@pytest.fixture(scope="module")
def anomaly_rows():
    return anomaly.run(quick=True)


@pytest.fixture(scope="module")
def classify_rows():
    return classify.run(quick=True)


def test_suites_are_registered():
    assert SUITES["anomaly"] is anomaly.run and SUITES["classify"] is classify.run


def test_anomaly_rows(anomaly_rows):
    assert all(isinstance(r, Row) and r.suite == "anomaly" for r in anomaly_rows)
    assert all(r.dataset == "digits-loco" and r.seconds >= 0 for r in anomaly_rows)
    auroc = {r.method: r for r in anomaly_rows if r.metric == "auroc"}
    assert set(auroc) == set(anomaly.baseline_methods(True)) | set(anomaly.genlab_methods(True))
    for r in auroc.values():
        assert 0 <= r.value <= 1 and r.higher_is_better
        assert f"over {len(anomaly.QUICK_CLASSES)} held-out classes" in r.note
    # every genlab method also reports its threshold rule at work
    for method in anomaly.genlab_methods(True):
        rates = {r.metric: r for r in anomaly_rows if r.method == method and r.metric != "auroc"}
        assert set(rates) == {"false_positive_rate", "detection_rate"}
        assert not rates["false_positive_rate"].higher_is_better
        assert "split conformal" in rates["false_positive_rate"].note
        assert all(0 <= r.value <= 1 for r in rates.values())
    # the well-separated class 0 is found by the KDE even in quick mode
    assert "0: 0.99" in auroc["genlab.KDE(isotropic, bandwidth by CV)"].note


def test_classify_rows(classify_rows):
    methods = {r.method: r for r in classify_rows}
    assert all(r.suite == "classify" and r.metric == "accuracy" for r in classify_rows)
    expected = set(classify.baselines()) | set(classify.genlab_searches(True))
    expected |= {
        f"genlab.GenerativeClassifier('autoregressive', n_orders={k})"
        for k in classify.QUICK_ORDERS
    }
    chosen = methods.pop("genlab.GenerativeClassifier('autoregressive', orders by validation)")
    assert set(methods) == expected
    # genlab's row repeats the figure of the order count chosen on validation data
    k = int(chosen.note.split("n_orders=")[1].split(" ")[0])
    assert "chosen on a validation split of the training digits" in chosen.note
    reference = methods[f"genlab.GenerativeClassifier('autoregressive', n_orders={k})"]
    assert chosen.value == reference.value and "reference row" in reference.note
    for r in classify_rows:
        assert 0 <= r.value <= 1 and r.higher_is_better and math.isfinite(r.seconds)
        n = classify.QUICK_TEST_IMAGES if "autoregressive" in r.method else 360
        assert f"{round((1 - r.value) * n)} errors of {n}" in r.note
    assert methods["sklearn.QDA(reg_param=0.5)"].value > 0.99  # the 0.994
    assert "chosen by 3-fold CV" in methods["genlab.GenerativeClassifier('kde', isotropic)"].note
    gaussian = methods["genlab.GenerativeClassifier('gmm', n_components=1)"]
    assert "chosen by 5-fold CV: {'reg_covar'" in gaussian.note
    assert "chosen by 5-fold CV: {'reg_param'" in methods["sklearn.QDA(reg_param by CV)"].note


def test_every_method_is_scored_on_the_same_split_and_metric(anomaly_rows, scored_alike):
    # the threshold rows need genlab's calibrated threshold, which the baselines do not have
    scored_alike(anomaly_rows, only_some=frozenset({"detection_rate", "false_positive_rate"}))


def test_classify_every_method_is_scored_on_the_same_split_and_metric(classify_rows, scored_alike):
    scored_alike(classify_rows)
