"""``digits-represent`` and ``digits-sample`` in quick mode: well-formed rows and figures."""

from __future__ import annotations

import math

import pytest

from genlab.bench.rows import Row
from genlab.bench.suites import digits_represent, digits_sample


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def represent_rows(out):
    return digits_represent.run(quick=True, out=out)


@pytest.fixture(scope="module")
def sample_rows(out):
    return digits_sample.run(quick=True, out=out)


def test_represent_rows_cover_both_dimensions_and_methods(represent_rows):
    assert all(isinstance(r, Row) and r.suite == "digits-represent" for r in represent_rows)
    keys = {(r.dataset, r.method, r.metric) for r in represent_rows}
    for d in (2, 8):
        for method in ("genlab.VAE", digits_represent.CLASS_PRIOR, f"sklearn.PCA({d})"):
            for metric in ("probe_accuracy", "knn_probe_accuracy", "recon_rmse"):
                assert (f"digits-z{d}", method, metric) in keys
    for r in represent_rows:
        assert math.isfinite(r.value) and r.value >= 0
        assert r.higher_is_better == (r.metric != "recon_rmse")
        if r.method.startswith("genlab.VAE"):  # the row says how to reproduce it
            assert r.note.startswith("genlab fit vae digits") and "--set latent_dim=" in r.note
            supervised = "--label-column label --set" in r.note
            assert supervised == (r.method == digits_represent.CLASS_PRIOR)


def test_pca_baseline_matches_the_measured_values(represent_rows):
    value = {(r.dataset, r.metric): r.value for r in represent_rows if "PCA" in r.method}
    assert value["digits-z8", "recon_rmse"] == pytest.approx(2.51, abs=0.01)
    assert value["digits-z8", "probe_accuracy"] == pytest.approx(0.903, abs=0.01)
    assert value["digits-z2", "knn_probe_accuracy"] == pytest.approx(0.617, abs=0.01)


def test_sample_rows_score_every_sampling_family(sample_rows):
    conditional = [r for r in sample_rows if r.dataset == "digits"]
    methods = {r.method for r in conditional}
    default_steps = "genlab.Diffusion (default steps=50)"  # timed only
    assert methods == {
        "real training digits (reference)",
        default_steps,
        *digits_sample.FAMILY_SETTINGS,
    }
    for r in conditional:
        assert r.suite == "digits-sample" and math.isfinite(r.value)
        assert r.metric in ("fd_ratio", "conditional_accuracy", "c2st_accuracy", "sample_seconds")
    timed = {r.method for r in conditional if r.metric == "sample_seconds"}
    assert timed == {default_steps, *digits_sample.FAMILY_SETTINGS}
    real = {r.metric: r.value for r in conditional if r.method.startswith("real")}
    assert real["fd_ratio"] == pytest.approx(1.0)
    assert real["conditional_accuracy"] > 0.95 and real["c2st_accuracy"] < 0.65
    notes = [r.note for r in conditional if r.method.startswith("genlab.")]
    assert all(n.startswith("genlab fit ") and "--label-column label" in n for n in notes)


def test_sample_rows_end_with_the_mode_coverage_check(sample_rows):
    unconditional = [r for r in sample_rows if r.dataset != "digits"]
    assert {r.dataset for r in unconditional} == {digits_sample.COVERAGE_DATASET}
    assert {r.metric for r in unconditional} == {"mode_coverage", "class_entropy"}
    assert {r.method for r in unconditional} == {
        "real training digits (reference)",
        "genlab.GAN (fitted without labels)",
        "genlab.Diffusion (no-condition branch)",
    }


def test_figures_are_written(represent_rows, sample_rows, out):
    names = {p.name for p in (out / "figures").glob("*.png")}
    assert {"latent_map_VAE.png", "latent_map_VAE_class.png", "latent_map_PCA_2.png"} <= names
    assert "interpolation_vae_z8.png" in names
    for family, _ in digits_sample.FAMILY_SETTINGS.values():
        assert f"samples_{family}.png" in names


def test_every_method_is_scored_on_the_same_split_and_metric(represent_rows, scored_alike):
    scored_alike(represent_rows)


def test_sample_every_method_is_scored_on_the_same_split_and_metric(sample_rows, scored_alike):
    scored_alike(sample_rows, only_some=frozenset({"sample_seconds"}))  # no reference timing
