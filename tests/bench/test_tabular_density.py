"""``tabular-density`` in quick mode: every family's row, the KDE's default constructor and
``genlab.Auto`` beside them, scored alike."""

from __future__ import annotations

import math

import pytest

from genlab.bench.suites import tabular_density


@pytest.fixture(scope="module")
def rows():
    return tabular_density.run(quick=True)


def test_quick_run_has_the_default_and_auto_rows(rows, scored_alike):
    assert [r.method for r in rows] == list(tabular_density.methods(quick=True))
    assert {"genlab.KDE (default)", "genlab.Auto"} <= {r.method for r in rows}
    scored_alike(rows)
    for r in rows:
        assert r.dataset == "wine" and r.metric == "nll_nats" and math.isfinite(r.value)
        assert r.note.startswith("±")


def test_auto_says_which_family_it_chose(rows):
    (auto,) = [r for r in rows if r.method == "genlab.Auto"]
    assert "; chose " in auto.note
    chosen = auto.note.split("; chose ")[1].split(";")[0]
    assert chosen in {"gmm", "kde", "flow", "autoregressive", "vae"}


def test_the_default_kde_is_the_cross_validated_one_on_this_small_table(rows):
    # bandwidth="auto" on 142 rows: exact leave-one-out, which keeps the full-covariance shape
    # here, so the default reproduces the bandwidth="cv" row
    kde = {r.method: r.value for r in rows if r.method.startswith("genlab.KDE")}
    assert kde["genlab.KDE (default)"] == pytest.approx(kde["genlab.KDE"], abs=1e-9)
