from __future__ import annotations

import numpy as np
import pytest

import genlab


def test_auto_keeps_the_best_validation_likelihood():
    X = genlab.load_dataset("eight_gaussians").X[:600]
    auto = genlab.Auto(candidates=["kde", "gmm"], max_time=60).fit(X)
    scores = {k: v for k, v in auto.scores_.items() if isinstance(v, float)}
    assert auto.best_family_ == max(scores, key=scores.get)
    assert type(auto.model_) is genlab.FAMILIES[auto.best_family_]
    assert np.array_equal(auto.log_prob(X[:5]), auto.model_.log_prob(X[:5]))


def test_auto_skips_families_that_cannot_fit_and_says_why():
    X = genlab.load_dataset("iris").flat()
    X[::7, 1] = np.nan  # a KDE cannot fit holes; the mixture can
    auto = genlab.Auto(candidates=["kde", "gmm"], max_time=60).fit(X)
    assert auto.best_family_ == "gmm"
    assert auto.scores_["kde"].startswith("skipped") and "missing" in auto.scores_["kde"]


def test_auto_errors():
    with pytest.raises(genlab.InputError, match="unknown candidate"):
        genlab.Auto(candidates=["nope"]).fit(np.zeros((20, 2)))
    with pytest.raises(genlab.InputError, match="val_fraction"):
        genlab.Auto(val_fraction=1.0).fit(np.random.default_rng(0).normal(size=(20, 2)))


def test_auto_answers_with_the_chosen_model_and_saves_its_state(tmp_path):
    X = genlab.load_dataset("iris").flat()
    holes = X.copy()
    holes[::5, 2] = np.nan
    auto = genlab.Auto(candidates=["kde", "gmm"], max_time=60).fit(X)
    inner = auto.model_
    assert np.array_equal(auto.sample(4, random_state=0), inner.sample(4, random_state=0))
    for method in ("sample", "mean"):
        got = auto.impute(holes, method=method, random_state=1)
        assert np.array_equal(got, inner.impute(holes, method=method, random_state=1))
    assert auto.likelihood_is_bound == inner.likelihood_is_bound
    same = genlab.load_model(auto.save(tmp_path / "auto"))
    assert same.best_family_ == auto.best_family_ and same.scores_ == auto.scores_
    assert np.array_equal(same.log_prob(X), auto.log_prob(X))
    assert type(same.model_) is type(inner)


def test_auto_not_fitted_or_too_few_rows():
    with pytest.raises(genlab.NotFittedError, match="not fitted"):
        genlab.Auto().sample(2)
    with pytest.raises(genlab.InputError, match="Auto: at least 5 rows"):
        genlab.Auto(candidates=["gmm"]).fit(np.random.default_rng(0).normal(size=(4, 2)))
