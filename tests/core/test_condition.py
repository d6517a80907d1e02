from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genlab
from genlab import CapabilityError, Condition, InputError
from genlab.core.condition import ClassLabels


def _two_clusters():
    X = np.r_[np.zeros((30, 2)), np.full((30, 2), 10.0)] + np.random.default_rng(0).normal(
        size=(60, 2)
    )
    return X, np.array(["a"] * 30 + ["b"] * 30)


def test_plain_values_are_class_labels_and_broadcast():
    c = Condition.of(["x"])
    assert c.kind == "class" and list(c.broadcast(3).values) == ["x", "x", "x"]
    assert Condition.of(None) is None and Condition.of(c) is c
    with pytest.raises(InputError, match="2 rows for 3"):
        Condition.of([1, 2]).broadcast(3)


def test_labels_keep_python_types_and_pandas_series():
    assert Condition.labels(pd.Series([1, 2])).values.tolist() == [1, 2]
    assert [type(v) for v in Condition.labels([1, "a"]).values] == [int, str]


def test_other_kinds_validate_their_values():
    assert Condition.text("a thin seven").values == ["a thin seven"]
    assert Condition.image(np.zeros((8, 8))).values.shape == (1, 8, 8)
    with pytest.raises(InputError, match="strings"):
        Condition.text([1, 2])
    with pytest.raises(InputError, match="image"):
        Condition.image(np.zeros(3))
    with pytest.raises(InputError, match="kind"):
        Condition([1], "smell")


def test_class_labels_fit_codes_and_refuse_unknown_or_missing():
    labels, codes = ClassLabels.fit(["b", "a", "b"])
    assert labels.classes.tolist() == ["a", "b"] and codes.tolist() == [1, 0, 1]
    assert np.allclose(np.exp(labels.log_prior), [1 / 3, 2 / 3])
    with pytest.raises(InputError, match="unknown label 'c'"):
        labels.codes(Condition.of("c"), 1)
    with pytest.raises(InputError, match="missing label at row 1"):
        ClassLabels.fit(["a", None])
    with pytest.raises(CapabilityError, match="text"):
        labels.codes(Condition.text("hi"), 1)


def test_a_model_takes_a_condition_object_as_it_takes_a_label():
    X, y = _two_clusters()
    kde = genlab.KDE(bandwidth=0.5).fit(X, condition=Condition.labels(y))
    by_label = kde.sample(20, condition="b", random_state=0)
    by_object = kde.sample(20, condition=Condition.labels(["b"]), random_state=0)
    assert np.array_equal(by_label, by_object) and by_label.mean() > 5
    assert np.array_equal(kde.log_prob(X, condition=y), kde.log_prob(X, Condition.labels(y)))


def test_a_kind_the_family_does_not_take_is_a_capability_error():
    X, _ = _two_clusters()
    with pytest.raises(CapabilityError, match="text"):
        genlab.KDE().fit(X, condition=Condition.text(["p"] * len(X)))
