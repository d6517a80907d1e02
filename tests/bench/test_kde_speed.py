"""``kde-speed`` in quick mode: well-formed rows and genlab within 1e-6 of the reference."""

from __future__ import annotations

import math
import time

import numpy as np

from genlab.bench.rows import Row
from genlab.bench.suites import kde_speed


def test_quick_run_rows(scored_alike):
    rows = kde_speed.run(quick=True)
    scored_alike(rows)
    assert all(isinstance(r, Row) and r.suite == kde_speed.NAME for r in rows)
    assert {r.dataset for r in rows} == {"gauss-d2-n2000", "gauss-d8-n2000"}
    methods = {"genlab.KDE", "sklearn.KernelDensity", "scipy.gaussian_kde"}
    for dataset in ("gauss-d2-n2000", "gauss-d8-n2000"):
        for metric in ("seconds", "max_abs_error"):
            got = [r for r in rows if r.dataset == dataset and r.metric == metric]
            assert {r.method for r in got} == methods
            assert all(r.task == "density" and not r.higher_is_better for r in got)
            assert all(math.isfinite(r.value) and r.value >= 0 for r in got)
    timings = [r for r in rows if r.metric == "seconds"]
    assert all(f"best of {kde_speed.REPEATS} run(s)" in r.note for r in timings)
    genlab_rows = [r for r in rows if r.method == "genlab.KDE"]
    for r in genlab_rows:
        if r.metric == "seconds":
            assert r.value > 0 and "x sklearn" in r.note and "x scipy" in r.note
        else:
            assert r.value <= 1e-6
    scipy_errors = [r for r in rows if r.method == "scipy.gaussian_kde" and r.metric != "seconds"]
    assert all(r.value <= 1e-6 for r in scipy_errors)  # same problem: kernel exactly 0.3²·I


def test_slow_and_fast_methods_get_the_same_number_of_runs():
    calls = []

    def slow(queries: np.ndarray) -> np.ndarray:
        calls.append(1)
        time.sleep(0.3)
        return np.zeros(len(queries))

    _, runs, _ = kde_speed._best_seconds(slow, np.zeros((2, 2)))
    assert runs == len(calls) == kde_speed.REPEATS
