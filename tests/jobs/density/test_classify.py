"""GenerativeClassifier: Bayes' rule, priors, scikit-learn compatibility, errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import genlab
from genlab.jobs.density.classify import GenerativeClassifier


@pytest.fixture(scope="module")
def wine():
    return genlab.load_dataset("wine")


def test_bayes_rule_with_training_priors(wine):
    X, y = wine.X.to_numpy(), wine.y
    clf = GenerativeClassifier("kde", bandwidth=1.0).fit(X, y)
    # the same densities fitted class by class, and Bayes' rule by hand
    per_class = np.stack(
        [genlab.KDE(bandwidth=1.0).fit(X[y == c]).log_prob(X) for c in clf.classes_], axis=1
    )
    prior = np.bincount(y) / len(y)
    expected = softmax(per_class + np.log(prior), axis=1)
    assert np.allclose(clf.predict_proba(X), expected)
    assert np.allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    assert np.array_equal(clf.predict(X), clf.classes_[expected.argmax(axis=1)])
    assert clf.score(X, y) > 0.9


def test_priors_uniform_and_given(wine):
    X, y = wine.X, wine.y
    uniform = GenerativeClassifier("gmm", n_components=1, priors="uniform").fit(X, y)
    assert np.allclose(uniform.class_log_prior_, np.log(1 / 3))
    tilted = GenerativeClassifier("gmm", n_components=1, priors=[0.98, 0.01, 0.01]).fit(X, y)
    shift = tilted.predict_log_proba(X) - uniform.predict_log_proba(X)
    assert (tilted.predict_proba(X)[:, 0] >= uniform.predict_proba(X)[:, 0] - 1e-12).all()
    assert np.isfinite(shift).all()
    with pytest.raises(genlab.InputError, match="priors"):
        GenerativeClassifier("gmm", priors=[0.5, 0.5]).fit(X, y)
    with pytest.raises(genlab.InputError, match="priors"):
        GenerativeClassifier("gmm", priors="flat").fit(X, y)


def test_string_labels_and_images():
    ds = genlab.load_dataset("digits").subset(np.arange(400))
    labels = np.array(["even", "odd"])[ds.y % 2]
    clf = GenerativeClassifier("kde", bandwidth=2.0).fit(ds.X[:300], labels[:300])
    assert list(clf.classes_) == ["even", "odd"] and clf.n_features_in_ == 64
    assert clf.predict(ds.X[300:]).dtype.kind == "U"
    assert clf.score(ds.X[300:], labels[300:]) > 0.8


def test_families_that_cannot_condition_fit_one_model_per_class(wine):
    clf = GenerativeClassifier("auto", candidates=["kde"]).fit(wine.X, wine.y)
    assert clf.model_ is None and len(clf.models_) == 3
    assert clf.predict_proba(wine.X.head(4)).shape == (4, 3)
    assert clf.score(wine.X, wine.y) > 0.9


def test_params_clone_and_pickle(wine):
    clf = GenerativeClassifier("kde", bandwidth=1.0)
    assert clf.get_params() == {"family": "kde", "priors": None, "bandwidth": 1.0}
    copy = clone(clf)
    assert copy.get_params() == clf.get_params() and copy is not clf
    copy.set_params(bandwidth=2.0, family="kde")
    assert copy.bandwidth == 2.0 and clf.bandwidth == 1.0
    clf.set_params(categorical_smoothing=0.2)  # a family parameter not given at first
    assert clf.get_params()["categorical_smoothing"] == 0.2
    with pytest.raises(genlab.InputError, match="no hyperparameter"):
        clf.set_params(n_components=3)
    fitted = clf.fit(wine.X, wine.y)
    again = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(again.predict(wine.X), fitted.predict(wine.X))
    assert "bandwidth=1.0" in repr(clf)


def test_pipeline_grid_search_and_cross_validation(wine):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", GenerativeClassifier("kde"))])
    search = GridSearchCV(pipe, {"clf__bandwidth": [0.05, 1.0]}, cv=3).fit(wine.X, wine.y)
    assert search.best_params_ == {"clf__bandwidth": 1.0} and search.best_score_ > 0.9
    over_families = GridSearchCV(GenerativeClassifier("kde"), {"family": ["kde", "gmm"]}, cv=3).fit(
        wine.X.to_numpy(), wine.y
    )
    assert over_families.best_params_["family"] in ("kde", "gmm")
    scores = cross_val_score(GenerativeClassifier("gmm", n_components=1), wine.X, wine.y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.9


class _NoLikelihood(genlab.KDE):
    capabilities = frozenset({"sample"})


def test_errors(wine, monkeypatch):
    with pytest.raises(genlab.InputError, match="labels"):
        GenerativeClassifier().fit(wine.X, None)
    with pytest.raises(genlab.InputError, match="at least 2"):
        GenerativeClassifier().fit(wine.X, np.zeros(len(wine.X)))
    with pytest.raises(genlab.InputError, match="unknown family"):
        GenerativeClassifier("gan?").fit(wine.X, wine.y)
    with pytest.raises(genlab.InputError, match="no hyperparameter"):
        GenerativeClassifier("kde", n_components=2).fit(wine.X, wine.y)
    with pytest.raises(genlab.NotFittedError):
        GenerativeClassifier().predict(wine.X)
    monkeypatch.setitem(genlab.FAMILIES, "sampler", _NoLikelihood)
    with pytest.raises(genlab.CapabilityError, match="no likelihood"):
        GenerativeClassifier("sampler").fit(wine.X, wine.y)
