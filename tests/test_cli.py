"""The command line, run in-process through ``main`` (exit codes included)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import genlab
from genlab.cli import run
from genlab.data import masks


def test_fit_sample_score_impute_on_a_table(tmp_path, capsys):
    df = genlab.load_dataset("mixed_table").X
    df.to_csv(tmp_path / "t.csv", index=False)
    model = tmp_path / "m"
    assert (
        run(
            "fit",
            "gmm",
            tmp_path / "t.csv",
            "-o",
            model,
            "--set",
            "max_components=2",
            "--label-column",
            "segment",
            "-q",
        )
        == 0
    )
    assert run("sample", model, "-n", "12", "-o", tmp_path / "s.csv", "--condition", "b") == 0
    samples = pd.read_csv(tmp_path / "s.csv")
    assert list(samples.columns) == ["income", "age", "owner"] and len(samples) == 12
    df.drop(columns="segment").to_csv(tmp_path / "x.csv", index=False)
    assert run("score", model, tmp_path / "x.csv", "-o", tmp_path / "lp.csv") == 0
    assert np.isfinite(pd.read_csv(tmp_path / "lp.csv")["log_prob_nats"]).all()
    holes = df.drop(columns="segment").head(20).copy()
    holes.loc[::3, "income"] = np.nan
    holes.to_csv(tmp_path / "h.csv", index=False)
    assert (
        run("impute", model, tmp_path / "h.csv", "-o", tmp_path / "f.csv", "--multiple", "3") == 0
    )
    filled = pd.read_csv(tmp_path / "f.csv")
    assert len(filled) == 60 and filled["income"].notna().all()
    assert sorted(filled["imputation"].unique()) == [0, 1, 2]
    out = tmp_path / "g.csv"
    assert run("impute", model, tmp_path / "h.csv", "-o", out, "--multiple", "2", "--files") == 0
    first, second = (pd.read_csv(tmp_path / f"g-{m}.csv") for m in (1, 2))
    assert len(first) == len(second) == 20 and "imputation" not in first
    observed = holes["income"].notna()
    assert np.array_equal(first["income"][observed], second["income"][observed])
    assert not np.array_equal(first["income"][~observed], second["income"][~observed])


def test_impute_with_bootstrap_refits(tmp_path, capsys):
    X = genlab.load_dataset("wine").X.iloc[:, :4]
    X.iloc[:120].to_csv(tmp_path / "train.csv", index=False)
    holes = X.iloc[120:].copy()
    holes.iloc[::2, 1] = np.nan
    holes.to_csv(tmp_path / "h.csv", index=False)
    model = tmp_path / "m"
    assert run("fit", "gmm", tmp_path / "train.csv", "-o", model, "--set", "n_components=2") == 0
    args = ("impute", model, tmp_path / "h.csv", "--method", "mean", "--bootstrap", "3")
    assert run(*args, "-o", tmp_path / "a.csv") == 0  # refits on the holes' own rows
    assert run(*args, "--fit-data", tmp_path / "train.csv", "-o", tmp_path / "b.csv") == 0
    a, b = (pd.read_csv(tmp_path / f"{n}.csv") for n in "ab")
    assert a.notna().all().all() and b.notna().all().all()
    assert np.allclose(a.iloc[1::2], holes.iloc[1::2]) and not a.equals(b)
    capsys.readouterr()
    bad = ("impute", model, tmp_path / "h.csv", "-o", tmp_path / "c.csv")
    assert run(*bad, "--fit-data", tmp_path / "train.csv") != 0
    assert "give bootstrap=B" in capsys.readouterr().err
    assert run(*bad, "--bootstrap", "-2") != 0 and not (tmp_path / "c.csv").exists()
    kept = tmp_path / "bag"
    assert run(*args, "--save", kept, "-o", tmp_path / "d.csv") == 0
    assert "Saved the 3 refits" in capsys.readouterr().err
    assert (
        run("impute", kept, tmp_path / "h.csv", "--method", "mean", "-o", tmp_path / "e.csv") == 0
    )
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "d.csv"), pd.read_csv(tmp_path / "e.csv"))
    assert run(*bad, "--save", tmp_path / "no") == 2 and not (tmp_path / "no").exists()
    assert "give --bootstrap B" in " ".join(capsys.readouterr().err.split())


def test_impute_select_chooses_stacks_and_fills(tmp_path, capsys):
    X = genlab.load_dataset("wine").X.iloc[:80, :4]
    holes = X.copy()
    holes.iloc[::3, 1] = np.nan
    holes.iloc[1::4, 2] = np.nan
    holes.to_csv(tmp_path / "h.csv", index=False)
    args = ("impute-select", tmp_path / "h.csv", "--bootstrap", "2", "--n-jobs", "1")
    assert run(*args, "-o", tmp_path / "s.csv") == 0
    said = capsys.readouterr().err
    assert "the stack" in said and said.count("GaussianMixture(n_components=") == 5
    filled = pd.read_csv(tmp_path / "s.csv")
    assert filled.notna().all().all() and list(filled.columns) == list(X.columns)
    observed = holes.notna()
    assert np.array_equal(filled.to_numpy()[observed], X.to_numpy()[observed])
    assert run(*args, "--no-stack", "--multiple", "3", "-o", tmp_path / "m.csv") == 0
    assert "the stack" not in capsys.readouterr().err
    saved = tmp_path / "chosen"
    assert run(*args, "--save", saved, "-o", tmp_path / "s2.csv") == 0
    assert "Saved the fitted imputer" in capsys.readouterr().err
    new = ("impute", saved, tmp_path / "h.csv", "--method", "mean", "-o", tmp_path / "n.csv")
    assert run(*new) == 0  # the saved stack fills rows again, without refitting
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "n.csv"), pd.read_csv(tmp_path / "s2.csv"))
    assert run(*new[:-1], tmp_path / "bad.csv", "--bootstrap", "2") == 2
    assert "already a bootstrap ensemble" in capsys.readouterr().err
    draws = pd.read_csv(tmp_path / "m.csv")
    assert len(draws) == 3 * len(X) and sorted(draws["imputation"].unique()) == [0, 1, 2]
    assert run(*args[:3], "0", "-o", tmp_path / "bad.csv") != 0
    assert "--bootstrap" in capsys.readouterr().err and not (tmp_path / "bad.csv").exists()
    assert run(*args, "--repeats", "2", "--no-stack", "-o", tmp_path / "r.csv") == 0
    entries = [
        int(re.search(r"(\d+) entries", t).group(1)) for t in (said, capsys.readouterr().err)
    ]
    assert 1.5 * entries[0] < entries[1] < 2.5 * entries[0]  # two hold-outs pooled
    assert run(*args, "--repeats", "0", "-o", tmp_path / "bad.csv") != 0
    assert "n_repeats" in capsys.readouterr().err and not (tmp_path / "bad.csv").exists()


def test_impute_select_scores_the_settings_of_saved_models(tmp_path, capsys):
    X = genlab.load_dataset("wine").X.iloc[:80, :4]
    X.to_csv(tmp_path / "full.csv", index=False)
    masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0)).to_csv(
        tmp_path / "h.csv", index=False
    )
    for name, k in (("one", 1), ("two", 2)):
        args = ("fit", "gmm", tmp_path / "h.csv", "-o", tmp_path / name, "-q")
        assert run(*args, "--set", f"n_components={k}") == 0
    pick = ("impute-select", tmp_path / "h.csv", "--bootstrap", "2", "--n-jobs", "1")
    chosen = ("-c", tmp_path / "one", "-c", tmp_path / "two")
    assert run(*pick, *chosen, "-o", tmp_path / "s.csv") == 0
    said = capsys.readouterr().err
    assert str(tmp_path / "two") in said and "GaussianMixture(" not in said  # no defaults
    args = ("fit", "gmm", tmp_path / "h.csv", "-o", tmp_path / "short", "-q")
    assert run(*args, "--set", "n_components=2", "--set", "max_iter=1") == 0
    assert "warning: EM did not converge" in capsys.readouterr().err
    assert run(*pick, "-c", tmp_path / "short", "-o", tmp_path / "w.csv") == 0
    said = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "warning: EM did not converge" in said and "over 2 fits while scoring" in said
    assert "over 2 bootstrap refits" in said  # the final refits: each said once
    assert said.count("EM did not converge") == 2 and ".py:" not in said  # no source lines
    assert pd.read_csv(tmp_path / "s.csv").notna().all().all()
    assert run("fit", "kde", tmp_path / "full.csv", "-o", tmp_path / "kde", "-q") == 0
    assert run(*pick, "-c", tmp_path / "kde", "-o", tmp_path / "bad.csv") != 0
    assert "cannot fit with missing values" in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "bad.csv").exists()


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


def test_digits_png_grid_with_one_row_per_class(tmp_path):
    model = tmp_path / "kde"
    assert run("fit", "kde", "digits", "-o", model, "--label-column", "label", "-q") == 0
    assert run("sample", model, "-n", "4", "--condition", "all", "-o", tmp_path / "g.png") == 0
    assert (tmp_path / "g.png").stat().st_size > 0
    assert run("score", model, "digits", "-o", tmp_path / "lp.csv", "-q") == 0
    assert "bits_per_dim" in pd.read_csv(tmp_path / "lp.csv")


def test_bad_input_exits_2_with_a_message(tmp_path, capsys):
    assert run("fit", "nope", "digits", "-o", tmp_path / "m") == 2
    assert "unknown family" in capsys.readouterr().err
    assert run("fit", "kde", "no_such_data", "-o", tmp_path / "m") == 2
    assert run("fit", "kde", "iris", "-o", tmp_path / "m", "--set", "bogus=1") == 2
    assert "no hyperparameter" in capsys.readouterr().err
    assert run("sample", tmp_path / "missing", "-o", tmp_path / "s.csv") == 2
    (tmp_path / "empty.csv").write_text("")
    assert run("fit", "kde", tmp_path / "empty.csv", "-o", tmp_path / "m") == 2
    assert run("fit") == 2  # usage error


def test_an_unwritable_output_is_refused_before_any_work(tmp_path, capsys):
    X = genlab.load_dataset("wine").X.iloc[:30, :3]
    X.to_csv(tmp_path / "t.csv", index=False)
    model = tmp_path / "m"
    assert run("fit", "gmm", tmp_path / "t.csv", "-o", model, "-q") == 0
    holes = X.mask(masks.mcar(X.shape, 0.2, random_state=0))
    holes.to_csv(tmp_path / "h.csv", index=False)
    for command in (
        ("impute", model, tmp_path / "h.csv", "--bootstrap", "2", "--save", tmp_path / "bag"),
        ("impute-select", tmp_path / "h.csv", "--save", tmp_path / "bag"),
    ):
        assert run(*command, "-o", tmp_path / "f.txt") == 2
        assert "unknown output format '.txt'" in " ".join(capsys.readouterr().err.split())
        assert not (tmp_path / "bag").exists()  # nothing was fitted
    assert run("sample", model, "-o", tmp_path / "s.png") == 2
    assert "a .png output needs images" in capsys.readouterr().err
    assert run("score", model, tmp_path / "t.csv", "-o", tmp_path / "lp.npy") == 2
    assert run("encode", model, tmp_path / "t.csv", "-o", tmp_path / "z.parquet") == 2
    assert not list(tmp_path.glob("[slz]*.*"))
    assert run("score", model, tmp_path / "t.csv", "-o", tmp_path / "lp.parquet", "-q") == 0
    assert len(pd.read_parquet(tmp_path / "lp.parquet")) == 30
    assert run("compare", model, model, tmp_path / "t.csv", "--plot", tmp_path / "p.txt") == 2
    assert run("compare", model, model, tmp_path / "t.csv", "-o", tmp_path / "c.json") == 2
    capsys.readouterr()
    a_file = tmp_path / "lp.parquet"
    for command in (("fit", "kde", tmp_path / "t.csv"), ("tour", "--fast"), ("bench", "impute")):
        assert run(*command, "-o", a_file) == 2
        assert "is a file, not a folder" in " ".join(capsys.readouterr().err.split())
    for command in (("impute", model, tmp_path / "h.csv"), ("impute-select", tmp_path / "h.csv")):
        assert run(*command, "--multiple", "0", "-o", tmp_path / "f.csv") == 2
        said = capsys.readouterr().err
        assert "--multiple must be at least 1" in said and "Fitting" not in said
    # a file system refusal after the work is one line and exit 1, not a traceback
    (tmp_path / "d.csv").mkdir()
    assert run("compare", model, model, tmp_path / "t.csv", "-q", "-o", tmp_path / "d.csv") == 1
    assert "error:" in capsys.readouterr().err


def test_datasets_and_help(capsys):
    assert run("datasets") == 0
    out = capsys.readouterr().out
    assert "digits" in out and "concentric_rings" in out
    assert run("--help") == 0
    assert "impute" in capsys.readouterr().out


@pytest.mark.parametrize("suite", ["tabular-density"])
def test_bench_quick_writes_results(tmp_path, suite):
    assert run("bench", suite, "--quick", "--out", tmp_path, "-q") == 0
    import json

    results = json.loads((tmp_path / "results.json").read_text())
    assert {r["suite"] for r in results["rows"]} == {suite}
    assert (tmp_path / "report.md").read_text().startswith("# genlab bench")
