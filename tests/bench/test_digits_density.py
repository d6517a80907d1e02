"""``digits-density`` in quick mode: well-formed rows, exact and bound rows labelled as such."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genlab.bench.rows import Row
from genlab.bench.suites import digits_density


@pytest.fixture(scope="module")
def rows():
    return digits_density.run(quick=True)


def test_quick_run_has_every_method(rows):
    assert all(isinstance(r, Row) and r.suite == "digits-density" for r in rows)
    assert {r.method for r in rows} == {
        "genlab.AutoregressiveModel(n_orders=1)",
        f"genlab.AutoregressiveModel(n_orders={digits_density.QUICK_ORDERS})",
        "independent pixels",
        "genlab.KDE",
        "genlab.GaussianMixture",
        "genlab.Flow",
        "genlab.VAE",
        "genlab.HierarchicalVAE",
        "genlab.Diffusion",
        "sklearn.KernelDensity",
        "sklearn.GaussianMixture",
    }
    for r in rows:
        assert r.dataset == "digits" and r.metric == "bits_per_dim" and not r.higher_is_better
        assert math.isfinite(r.value) and r.value > 0 and r.seconds >= 0
        assert r.note.startswith("±")


def test_exact_and_bound_rows_say_so(rows):
    for r in rows:
        if r.method.startswith("genlab.Autoregressive") or r.method == "independent pixels":
            assert "exact" in r.note and r.value < math.log2(17)
        else:
            assert "bound" in r.note
    diffusion = next(r for r in rows if r.method == "genlab.Diffusion")
    assert "DDPM variational bound" in diffusion.note


def test_independent_pixels_is_exact_frequencies():
    Xtr = np.array([[0, 16], [0, 16], [1, 16]])
    row = digits_density.independent_pixels_row(Xtr, np.array([[0, 16]]))
    expected = -(np.log(3 / 20) + np.log(4 / 20)) / (2 * math.log(2))
    assert row.value == pytest.approx(expected)


def test_every_method_is_scored_on_the_same_split_and_metric(rows, scored_alike):
    scored_alike(rows)
