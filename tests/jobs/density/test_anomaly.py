"""AnomalyDetector: scores, both threshold rules, sklearn conventions, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import genlab
from genlab.jobs.density.anomaly import AnomalyDetector, conformal_threshold


@pytest.fixture(scope="module")
def gauss():
    return np.random.default_rng(0).normal(size=(500, 2))


def test_scores_are_negative_log_density_in_nats_for_tables(gauss):
    det = AnomalyDetector(genlab.KDE(bandwidth=0.5)).fit(gauss)
    X = gauss[:5]
    assert np.allclose(det.score_samples(X), -det.model_.log_prob(X))
    assert det.score_samples([[8.0, 8.0]])[0] > det.score_samples([[0.0, 0.0]])[0]


def test_scores_are_bits_per_pixel_for_images():
    ds = genlab.load_dataset("digits").subset(np.arange(200))
    det = AnomalyDetector(genlab.KDE(bandwidth=2.0), contamination=0.1).fit(ds.X)
    scores = det.score_samples(ds.X[:4])
    expected = -det.model_.log_prob(ds.X[:4]) / (64 * math.log(2))
    assert np.allclose(scores, expected) and (scores < math.log2(17) + 1).all()
    nats = AnomalyDetector(genlab.KDE(bandwidth=2.0), contamination=0.1, units="nats")
    assert np.allclose(nats.fit(ds.X).score_samples(ds.X[:4]), expected * 64 * math.log(2))


def test_contamination_flags_that_share_of_the_training_rows(gauss):
    det = AnomalyDetector(genlab.KDE(bandwidth=0.5), contamination=0.1).fit(gauss)
    flagged = det.predict(gauss) == -1
    assert flagged.mean() == pytest.approx(0.1, abs=1 / len(gauss))
    assert len(det.calibration_scores_) == len(gauss)  # the density saw every row
    assert det.threshold_rule_.startswith("contamination=0.1")


def test_false_positive_rate_is_split_conformal():
    X = np.random.default_rng(2).normal(size=(2000, 2))
    det = AnomalyDetector(genlab.KDE(bandwidth=0.5), false_positive_rate=0.1).fit(X)
    n_held = round(0.2 * len(X))
    assert len(det.calibration_scores_) == n_held
    threshold, rank = conformal_threshold(det.calibration_scores_, 0.1)
    assert det.threshold_ == threshold and rank == math.ceil((n_held + 1) * 0.9)
    assert "held-out normal scores" in det.threshold_rule_
    fresh = np.random.default_rng(1).normal(size=(4000, 2))  # new normal data
    # given the calibration rows, the rate is Beta(40, 361): mean 0.0998, sd 0.015
    assert (det.predict(fresh) == -1).mean() == pytest.approx(0.1, abs=0.045)


def test_conformal_threshold_keeps_its_promise():
    # exchangeable scores: a new one exceeds the threshold with probability 1 - k / (n + 1)
    rng = np.random.default_rng(0)
    n, alpha = 39, 0.1
    exceed = []
    for _ in range(4000):
        scores = rng.random(n + 1)
        threshold, _ = conformal_threshold(scores[:n], alpha)
        exceed.append(scores[n] > threshold)
    rank = math.ceil((n + 1) * (1 - alpha))
    assert np.mean(exceed) == pytest.approx(1 - rank / (n + 1), abs=0.015)
    assert np.mean(exceed) <= alpha + 0.015


def test_default_rule_is_false_positive_rate_005(gauss):
    det = AnomalyDetector(genlab.KDE()).fit(gauss)
    assert det.threshold_rule_.startswith("false_positive_rate=0.05")


def test_predict_and_decision_function_follow_sklearn(gauss):
    det = AnomalyDetector(genlab.GaussianMixture(n_components=1), contamination=0.05)
    labels = det.fit_predict(gauss)  # OutlierMixin
    assert set(np.unique(labels)) == {-1, 1}
    X = [[0.0, 0.0], [7.0, -7.0]]
    assert det.predict(X).tolist() == [1, -1]
    assert np.array_equal(det.decision_function(X) < 0, det.predict(X) == -1)


def test_a_search_can_choose_the_density(gauss):
    search = GridSearchCV(genlab.KDE(), {"bandwidth": [0.05, 0.4]}, cv=3)
    det = AnomalyDetector(search, contamination=0.1).fit(gauss)
    assert isinstance(det.model_, genlab.KDE) and det.model_.bandwidth == 0.4


def test_dataframes_and_datasets_work():
    ds = genlab.load_dataset("wine")
    det = AnomalyDetector(genlab.GaussianMixture(n_components=1), false_positive_rate=0.2)
    assert det.fit(ds.X).predict(ds.X.head(3)).shape == (3,)
    assert det.fit(ds).score_samples(ds.X).shape == (len(ds),)


def test_clone_and_params(gauss):
    det = AnomalyDetector(genlab.KDE(bandwidth=0.3), contamination=0.2)
    copy = clone(det)
    assert copy.get_params()["contamination"] == 0.2 and copy.model is not det.model
    copy.fit(gauss)
    assert not hasattr(det, "model_") and not hasattr(copy.model, "schema_")  # model cloned


class _NoLikelihood:
    capabilities = frozenset({"sample"})

    def log_prob(self, X):
        raise AssertionError("never called")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"contamination": 0.1, "false_positive_rate": 0.1}, genlab.InputError, "not both"),
        ({"contamination": 0.7}, genlab.InputError, "contamination"),
        ({"false_positive_rate": 1.5}, genlab.InputError, "false_positive_rate"),
        ({"false_positive_rate": 0.001}, genlab.InputError, "held-out rows"),
        ({"units": "bits"}, genlab.InputError, "units"),
        ({"calibration_fraction": 1.0}, genlab.InputError, "calibration_fraction"),
    ],
)
def test_bad_settings_raise(gauss, kwargs, error, match):
    with pytest.raises(error, match=match):
        AnomalyDetector(genlab.KDE(), **kwargs).fit(gauss)


def test_models_without_likelihood_or_fit_raise(gauss):
    with pytest.raises(genlab.InputError, match=r"such as KDE\(\), not the class"):
        AnomalyDetector(genlab.KDE).fit(gauss)
    with pytest.raises(genlab.CapabilityError, match="no likelihood"):
        AnomalyDetector(_NoLikelihood()).fit(gauss)
    with pytest.raises(genlab.InputError, match="log_prob"):
        AnomalyDetector("kde").fit(gauss)
    with pytest.raises(genlab.NotFittedError):
        AnomalyDetector(genlab.KDE()).score_samples(gauss)
    with pytest.raises(genlab.InputError):
        AnomalyDetector(genlab.KDE(), contamination=0.1).fit(pd.DataFrame({"a": [1.0]}))
