"""The condition job: one row of samples per class, for the classes asked, in their order."""

from __future__ import annotations

import numpy as np
import pytest

import genlab
from genlab.core.errors import InputError
from genlab.jobs.condition import class_labels, samples_per_class

CENTRES = {"left": (-10.0, 0.0), "right": (10.0, 5.0)}


@pytest.fixture(scope="module")
def clusters():
    """A KDE fitted on two well-separated labelled clusters of 2-D points."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(c, 0.5, size=(60, 2)) for c in CENTRES.values()])
    y = np.repeat(list(CENTRES), 60)
    return genlab.KDE(bandwidth=0.5).fit(X, y)  # one bandwidth for all: the clusters, not the gap


def test_each_class_is_sampled_near_its_cluster(clusters):
    X, labels = samples_per_class(clusters, 25, random_state=0)
    assert X.shape == (50, 2) and labels.shape == (50,)
    for name, centre in CENTRES.items():
        rows = X[labels == name]
        assert len(rows) == 25
        assert np.linalg.norm(rows.mean(0) - centre) < 1.0
        assert np.abs(rows - centre).max() < 4.0  # no sample from the other cluster


def test_one_row_per_class_in_the_order_asked(clusters):
    X, labels = samples_per_class(clusters, 4, classes=["right", "left"], random_state=1)
    rows = labels.reshape(2, 4)
    assert rows[:, 0].tolist() == ["right", "left"] and (rows == rows[:, :1]).all()
    assert (X[:4, 0] > 0).all() and (X[4:, 0] < 0).all()


def test_the_classes_asked_are_the_only_ones_drawn(clusters):
    X, labels = samples_per_class(clusters, 6, classes="left", random_state=2)
    assert X.shape == (6, 2) and set(labels) == {"left"} and (X[:, 0] < 0).all()
    same, _ = samples_per_class(clusters, 6, genlab.Condition.labels(["left"]), random_state=2)
    np.testing.assert_array_equal(same, X)


def test_it_is_the_models_own_draw_for_the_repeated_labels(clusters):
    X, labels = samples_per_class(clusters, 3, random_state=5)
    np.testing.assert_array_equal(labels, np.repeat(clusters.classes_, 3))
    expected = clusters.sample(6, condition=labels, random_state=5)
    np.testing.assert_array_equal(X, expected)


def test_labels_come_back_in_the_models_type():
    digits = genlab.load_dataset("digits").subset(np.arange(150))
    kde = genlab.KDE().fit(digits, digits.y)
    X, labels = samples_per_class(kde, 2, classes=[np.int8(3), 5], random_state=0)
    assert X.shape == (4, 8, 8)
    assert labels.dtype == kde.classes_.dtype and labels.tolist() == [3, 3, 5, 5]


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ("middle", "unknown label 'middle'"),
        (["left", "nowhere"], "unknown label 'nowhere'"),
        (genlab.Condition.text("a left point"), "need class labels, not a text condition"),
        ([], "no class to draw"),
    ],
)
def test_a_bad_condition_is_an_input_error(clusters, classes, message):
    with pytest.raises(InputError, match=message):
        samples_per_class(clusters, 2, classes=classes)


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_n_must_be_a_positive_integer(clusters, n):
    with pytest.raises(InputError, match="positive integer"):
        samples_per_class(clusters, n)


def test_a_model_fitted_without_labels_has_no_classes():
    kde = genlab.KDE().fit(np.random.default_rng(0).normal(size=(20, 2)))
    with pytest.raises(InputError, match="fitted without labels"):
        class_labels(kde)
    with pytest.raises(InputError, match="fitted without labels"):
        samples_per_class(kde, 3)
