"""compare: NLL table, standard errors, paired intervals, bounds, the plot, saved models."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import genlab
from genlab.jobs.density.compare import (
    COLUMNS,
    compare,
    compare_saved,
    comparison_table,
    log_likelihoods,
    plot_log_likelihood_differences,
)


@pytest.fixture(scope="module")
def wine_models():
    train, test = genlab.load_dataset("wine").split()
    models = {
        "gmm1": genlab.GaussianMixture(n_components=1).fit(train),
        "kde": genlab.KDE(bandwidth="scott").fit(train),
        "gmm2": genlab.GaussianMixture(n_components=2).fit(train),
    }
    return models, test


def test_table_numbers_match_their_definitions(wine_models):
    models, test = wine_models
    table = compare(models, test)
    assert tuple(table.columns) == COLUMNS and table.index.name == "model"
    assert table["nll_nats"].is_monotonic_increasing  # best first
    best = table.index[0]
    lp = log_likelihoods(models, test)  # (N, 3)
    for name, row in table.iterrows():
        nll = -lp[name].to_numpy()
        assert row.nll_nats == pytest.approx(nll.mean())
        assert row.nll_nats_se == pytest.approx(nll.std(ddof=1) / math.sqrt(len(nll)))
        assert row.bits_per_dim == pytest.approx(nll.mean() / (13 * math.log(2)))
        assert row.family == models[name].family and not row.bound and row.note == "exact"
        if name == best:
            assert row.diff_nats == 0 and np.isnan(row.diff_ci_low) and np.isnan(row.diff_ci_high)
            continue
        # the paired t interval, as scipy computes it
        ci = stats.ttest_rel(nll, -lp[best].to_numpy()).confidence_interval(0.95)
        assert (row.diff_ci_low, row.diff_ci_high) == pytest.approx((ci.low, ci.high))
        assert row.diff_nats >= 0


def test_paired_intervals_are_narrower_than_the_standard_errors():
    rng = np.random.default_rng(0)
    base = rng.normal(-10, 3, size=400)  # per-example difficulty shared by both models
    lp = pd.DataFrame({"a": base, "b": base - 0.1 + rng.normal(0, 0.05, 400)})
    table = comparison_table(lp, n_dims=2, bounds={"a": False, "b": False})
    row = table.loc["b"]
    assert row.diff_ci_low > 0  # b is clearly worse...
    assert row.diff_nats < table["nll_nats_se"].min()  # ...though its error bars overlap a's


def test_bounds_are_marked():
    digits = genlab.load_dataset("digits").subset(np.arange(250))
    train, test = digits.subset(np.arange(200)), digits.X[200:]
    models = [genlab.KDE(bandwidth=2.0).fit(train), genlab.KDE(bandwidth=3.0).fit(train)]
    table = compare(models, test)
    assert sorted(table.index) == ["kde", "kde#2"]  # named by family, repeats numbered
    assert table["bound"].all()  # dequantized pixels: a lower bound on log p
    assert table["note"].str.contains("upper bound").all()
    assert (table["bits_per_dim"] < math.log2(17)).all()


def test_plot_is_written_without_touching_pyplot(wine_models, tmp_path):
    models, test = wine_models
    backend = matplotlib.get_backend()
    table = compare(models, test, plot=tmp_path / "sub" / "diff.png")
    png = (tmp_path / "sub" / "diff.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(table) == 3
    assert matplotlib.get_backend() == backend
    lp = log_likelihoods(models, test)
    out = plot_log_likelihood_differences(lp, tmp_path / "d.svg", reference="kde")
    assert out.read_text().lstrip().startswith("<?xml")
    with pytest.raises(genlab.InputError, match="reference"):
        plot_log_likelihood_differences(lp, tmp_path / "x.png", reference="nope")


def test_saved_models_from_folders(wine_models, tmp_path):
    models, _ = wine_models
    dirs = [models["gmm1"].save(tmp_path / "a" / "gmm"), models["kde"].save(tmp_path / "b" / "gmm")]
    csv = tmp_path / "test.csv"
    genlab.load_dataset("wine").X.head(40).to_csv(csv, index=False)
    table = compare_saved(dirs, csv, plot=tmp_path / "p.png")
    assert sorted(table.index) == ["gmm", "gmm#2"] and (tmp_path / "p.png").exists()
    with pytest.raises(genlab.ModelFileError):
        compare_saved([tmp_path / "missing"], csv)


def test_class_conditional_models_take_the_labels(wine_models):
    _, test = wine_models
    train, _ = genlab.load_dataset("wine").split()
    cond = genlab.GaussianMixture(n_components=1).fit(train, train.y)
    marginal = compare({"c": cond}, test).loc["c", "nll_nats"]
    given = compare({"c": cond}, test, condition=test.y).loc["c", "nll_nats"]
    assert given < marginal  # knowing the class can only help here


def test_errors(wine_models):
    models, test = wine_models
    with pytest.raises(genlab.InputError, match="at least one"):
        compare({}, test)
    with pytest.raises(genlab.InputError, match="mapping"):
        compare("kde", test)
    with pytest.raises(genlab.InputError, match="not a genlab model"):
        compare({"x": object()}, test)
    with pytest.raises(genlab.InputError, match="confidence"):
        compare(models, test, confidence=95)
    other = genlab.KDE().fit(np.zeros((5, 2)) + np.arange(5)[:, None])
    with pytest.raises(genlab.InputError, match="different numbers of columns"):
        compare({"wine": models["kde"], "2d": other}, test)
    with pytest.raises(genlab.InputError, match="non-finite"):
        comparison_table(pd.DataFrame({"a": [-1.0, -np.inf]}), n_dims=1, bounds={"a": False})
    with pytest.raises(genlab.InputError, match="at least 2"):
        comparison_table(pd.DataFrame({"a": [-1.0]}), n_dims=1, bounds={"a": False})
