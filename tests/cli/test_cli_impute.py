"""``genlab impute`` and ``genlab impute-select``: bootstrap refits, saved imputers, stacks."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

import genlab
from genlab.cli import run
from genlab.data import masks


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


def test_impute_without_a_model_takes_the_default_route(tmp_path, capsys):
    X = genlab.load_dataset("wine").X.iloc[:80, :4]
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))
    holes.to_csv(tmp_path / "h.csv", index=False)
    route = ("impute", tmp_path / "h.csv", "--budget", "5", "--n-jobs", "1")
    assert run(*route, "-o", tmp_path / "f.csv", "--save", tmp_path / "kept") == 0
    said = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "Default route" in said and "Hold-out RMSE (column stds" in said
    assert "the stack" in said and "bagged over" in said and "Saved the fitted imputer" in said
    filled = pd.read_csv(tmp_path / "f.csv")
    observed = holes.notna().to_numpy()
    assert filled.notna().all().all() and list(filled.columns) == list(X.columns)
    assert np.array_equal(filled.to_numpy()[observed], X.to_numpy()[observed])
    again = ("impute", tmp_path / "kept", tmp_path / "h.csv", "--method", "mean")
    assert run(*again, "-o", tmp_path / "g.csv") == 0  # the kept stack, no refit
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "g.csv"), filled)
    assert run(*route, "--multiple", "3", "-o", tmp_path / "m.csv") == 0
    draws = pd.read_csv(tmp_path / "m.csv")
    assert len(draws) == 3 * len(X) and sorted(draws["imputation"].unique()) == [0, 1, 2]
    capsys.readouterr()
    for extra, message in (
        (("--bootstrap", "3"), "sizes its own refits"),
        (("--budget", "0"), "budget must be a positive number"),
        (("--multiple", "2", "--method", "mean"), "one imputation"),
    ):
        assert run(*route, *extra, "-o", tmp_path / "bad.csv") == 2
        assert message in " ".join(capsys.readouterr().err.split())
    model = ("impute", tmp_path / "kept", tmp_path / "h.csv", "-o", tmp_path / "bad.csv")
    assert run(*model, "--budget", "5") == 2
    assert "--budget is the default route's" in capsys.readouterr().err
    assert run("impute", "-o", tmp_path / "bad.csv") == 2
    assert "give DATA" in capsys.readouterr().err and not (tmp_path / "bad.csv").exists()
    assert run("impute", tmp_path / "kept", "-o", tmp_path / "bad.csv") == 2
    assert "is a saved model: give the DATA" in " ".join(capsys.readouterr().err.split())
