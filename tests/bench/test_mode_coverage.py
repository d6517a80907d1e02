"""``digits-sample``'s mode-coverage check: the class histogram of unconditional samples through
the fixed digits classifier, and its two scalars (``mode_coverage``, ``class_entropy``)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import genlab
from genlab.bench.suites import digits_sample
from genlab.bench.suites.digits_sample import class_histogram, coverage_scores
from genlab.metrics.samples import digits_classifier


def test_the_scores_count_classes_over_two_percent_and_normalize_the_entropy():
    assert coverage_scores(np.full(10, 36)) == {"mode_coverage": 10.0, "class_entropy": 1.0}
    assert coverage_scores(np.eye(10, dtype=int)[3] * 360) == {
        "mode_coverage": 1.0,
        "class_entropy": 0.0,
    }
    at_two_percent = np.array([98, 2])  # exactly 2% counts as covered
    assert coverage_scores(at_two_percent)["mode_coverage"] == 2.0
    assert coverage_scores(np.array([981, 19]))["mode_coverage"] == 1.0  # 1.9% does not
    # two of four classes equally often: log 2 / log 4
    assert coverage_scores(np.array([5, 5, 0, 0]))["class_entropy"] == 0.5


def test_the_histogram_counts_what_the_classifier_sees():
    _, test = genlab.load_dataset("digits").split()
    counts = class_histogram(test.X, digits_classifier())
    assert counts.shape == (10,) and counts.sum() == len(test.X)
    assert np.abs(counts - np.bincount(test.y, minlength=10)).max() <= 5  # accuracy > 0.95
    threes = class_histogram(test.X[test.y == 3], digits_classifier())
    assert threes.shape == (10,) and threes.argmax() == 3 and threes[3] >= 0.9 * threes.sum()


@pytest.fixture(scope="module")
def rows():
    """The check's rows in quick mode, beside a tiny class-conditional diffusion model."""
    train, _ = genlab.load_dataset("digits").split()
    tiny = digits_sample.QUICK["diffusion"]
    diffusion = genlab.Diffusion(**tiny, progress=False).fit(train, train.y)
    reference = train.X[np.random.default_rng(0).choice(len(train), 360, replace=False)]
    return digits_sample.coverage_rows(train, reference, diffusion, quick=True)


def test_every_unconditional_source_gets_both_scores_and_its_histogram(rows):
    methods = {
        "real training digits (reference)",
        "genlab.GAN (fitted without labels)",
        "genlab.Diffusion (no-condition branch)",
    }
    assert {(r.method, r.metric) for r in rows} == {
        (m, k) for m in methods for k in ("mode_coverage", "class_entropy")
    }
    assert len(rows) == 6
    for r in rows:
        assert r.dataset == digits_sample.COVERAGE_DATASET and r.higher_is_better
        counts = [int(k) for k in re.findall(r"\b\d:(\d+)", r.note)]
        assert len(counts) == 10 and sum(counts) == 360, r.note
        assert coverage_scores(np.array(counts))[r.metric] == r.value
    real = {r.metric: r.value for r in rows if r.method.startswith("real")}
    assert real["mode_coverage"] == 10 and real["class_entropy"] > 0.98
    gan_note = next(r.note for r in rows if "GAN" in r.method)
    assert gan_note.startswith("genlab fit gan digits --set") and "--label-column" not in gan_note
