"""Representation probes: separable codes score 1, uninformative codes score chance."""

from __future__ import annotations

import numpy as np
import pytest

import genlab
from genlab.metrics import knn_probe_accuracy, probe_accuracy, recon_rmse


def test_probes_read_class_information():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=600)
    informative = np.eye(3)[y] * 5 + rng.normal(size=(600, 3))
    noise = rng.normal(size=(600, 3))
    tr, te = slice(0, 400), slice(400, None)
    assert probe_accuracy(informative[tr], y[tr], informative[te], y[te]) > 0.95
    assert knn_probe_accuracy(informative[tr], y[tr], informative[te], y[te]) > 0.95
    assert probe_accuracy(noise[tr], y[tr], noise[te], y[te]) < 0.5
    assert knn_probe_accuracy(noise[tr], y[tr], noise[te], y[te]) < 0.5


def test_recon_rmse_is_in_data_units():
    X = np.zeros((4, 8, 8))
    assert recon_rmse(X, X + 2.0) == pytest.approx(2.0)
    with pytest.raises(genlab.InputError, match="shape"):
        recon_rmse(X, X[:2])


def test_probes_check_shapes():
    with pytest.raises(genlab.InputError, match="one label"):
        probe_accuracy(np.zeros((4, 2)), np.zeros(3), np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(genlab.InputError, match="one d"):
        knn_probe_accuracy(np.zeros((4, 2)), np.zeros(4), np.zeros((2, 3)), np.zeros(2))
