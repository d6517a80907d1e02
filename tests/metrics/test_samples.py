"""Sample-quality metrics: known values on constructed data, and sanity on real digits."""

from __future__ import annotations

import numpy as np
import pytest

import genlab
from genlab.metrics import (
    c2st_accuracy,
    conditional_accuracy,
    digits_classifier,
    fd_ratio,
    frechet_distance,
)


@pytest.fixture(scope="module")
def split():
    return genlab.load_dataset("digits").split()


def test_frechet_distance_of_gaussians_matches_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20000, 2))
    b = rng.normal(size=(20000, 2)) * 2.0 + np.array([1.0, 0.0])
    # |mu|^2 + tr(I + 4I - 2 * 2I) = 1 + 2
    assert frechet_distance(a, b) == pytest.approx(3.0, abs=0.1)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_handles_singular_covariances():
    a = np.random.default_rng(0).normal(size=(100, 3))
    a[:, 2] = 0.0  # a dead feature
    assert frechet_distance(a, a + 0.5) == pytest.approx(3 * 0.25, abs=1e-6)


def test_frechet_distance_rejects_mismatched_features():
    with pytest.raises(genlab.InputError, match="same F"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))


def test_classifier_is_fixed_and_accurate(split):
    _, test = split
    clf = digits_classifier()
    assert clf is digits_classifier()  # cached per process
    assert clf.test_accuracy > 0.95
    assert clf.features(test.X).shape == (len(test), 64)
    assert np.array_equal(clf.predict(test.X), clf.predict(test.X.reshape(len(test), 64)))


def test_real_digits_score_as_real(split):
    train, test = split
    reference = train.X[:360]
    assert fd_ratio(train.X[360:720], test.X, reference) < 1.5
    assert conditional_accuracy(test.X, test.y) > 0.95
    assert c2st_accuracy(train.X[:360], test.X) < 0.6


def test_bad_samples_score_badly(split):
    train, test = split
    noise = np.random.default_rng(0).integers(0, 17, size=(360, 8, 8))
    assert fd_ratio(noise, test.X, train.X[:360]) > 10
    assert c2st_accuracy(noise, test.X) > 0.95
    wrong = (test.y + 1) % 10  # every label off by one
    assert conditional_accuracy(test.X, wrong) < 0.1


def test_inputs_are_checked():
    with pytest.raises(genlab.InputError, match="8x8"):
        conditional_accuracy(np.zeros((3, 5)), np.zeros(3))
    with pytest.raises(genlab.InputError, match="labels"):
        conditional_accuracy(np.zeros((3, 8, 8)), np.zeros(2))
    with pytest.raises(genlab.InputError, match="NaN"):
        fd_ratio(np.full((4, 64), np.nan), np.zeros((4, 64)), np.zeros((4, 64)))
