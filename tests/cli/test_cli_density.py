"""``genlab compare``: saved models ranked by held-out likelihood."""

from __future__ import annotations

import pandas as pd

from genlab.cli import run


def test_compare_saved_models_on_the_test_split(tmp_path, capsys):
    for family in ("kde", "gmm"):
        assert run("fit", family, "iris:train", "-o", tmp_path / family, "-q") == 0
    table, plot = tmp_path / "cmp.csv", tmp_path / "diff.png"
    args = ("compare", tmp_path / "kde", tmp_path / "gmm", "iris:test")
    assert run(*args, "-o", table, "--plot", plot) == 0
    printed = capsys.readouterr().out
    assert "nll_nats" in printed and "kde" in printed
    result = pd.read_csv(table, index_col="model")
    assert sorted(result.index) == ["gmm", "kde"] and plot.stat().st_size > 0
    assert result["nll_nats"].is_monotonic_increasing and result["nll_nats_se"].gt(0).all()
    assert run("compare", tmp_path / "kde") == 2
    assert "at least one model folder" in capsys.readouterr().err
    assert run("compare", tmp_path / "kde", "iris:valid") == 2
    assert "must be one of" in capsys.readouterr().err


def test_compare_reads_na_values_in_the_data(tmp_path, capsys):
    # '?' marks a missing cell; without --na-values the column is not numeric and the models,
    # fitted on numbers, refuse it
    rows = [[0.1 * i, 2.0 - 0.05 * i] for i in range(40)]
    pd.DataFrame(rows, columns=["a", "b"]).to_csv(tmp_path / "fit.csv", index=False)
    held = pd.DataFrame(rows[:10], columns=["a", "b"]).astype(object)
    held.iloc[3, 1] = "?"
    held.to_csv(tmp_path / "held.csv", index=False)
    for name in ("g1", "g2"):
        assert run("fit", "gmm", tmp_path / "fit.csv", "-o", tmp_path / name, "-q") == 0
    args = ["compare", tmp_path / "g1", tmp_path / "g2", tmp_path / "held.csv"]
    assert run(*args, "-q") == 2
    capsys.readouterr()
    assert run(*args, "--na-values", "?", "-o", tmp_path / "t.csv", "-q") == 0
    assert len(pd.read_csv(tmp_path / "t.csv")) == 2
