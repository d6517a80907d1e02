"""``genlab fit``: a family by name, its --set hyperparameters checked against the family's own."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

import genlab
from genlab.cli import run


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


def test_an_unknown_hyperparameter_exits_2_naming_the_known_ones(tmp_path, capsys):
    assert run("fit", "kde", "iris", "-o", tmp_path / "m", "--set", "nosuch=1") == 2
    said = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "error:" in said and "no hyperparameter(s) ['nosuch']" in said
    assert all(repr(name) in said for name in genlab.KDE().get_params())
    assert not (tmp_path / "m").exists()
    assert run("fit", "nosuch", "iris", "-o", tmp_path / "m") == 2
    said = " ".join(capsys.readouterr().err.split())
    assert "unknown family 'nosuch'" in said and "'kde'" in said and "'gmm'" in said


def test_training_options_and_trainer_settings_reach_a_neural_family(tmp_path, capsys):
    model = tmp_path / "ar"
    args = ("fit", "autoregressive", "iris", "-o", model, "--device", "cpu", "-q")
    assert run(*args, "--set", "max_epochs=1", "--set", "hidden_sizes=[8]") == 0
    params = json.loads((model / "model.json").read_text())["params"]
    assert params["device"] == "cpu" and params["max_epochs"] == 1
    assert params["hidden_sizes"] == [8] and params["progress"] is False
    assert run("fit", "kde", "iris", "-o", tmp_path / "k", "--device", "cpu") == 2
    assert "--device applies to neural families, not kde" in capsys.readouterr().err


def test_an_unwritable_output_folder_is_refused_before_the_fit(monkeypatch, capsys):
    def must_not_fit(self, *args, **kwargs):
        raise AssertionError("fitted before checking the output folder")

    monkeypatch.setattr(genlab.KDE, "fit", must_not_fit)
    target = "/proc/genlab-cannot-write-here/model"  # not writable, even for root
    assert run("fit", "kde", "wine", "-o", target) == 2
    assert "cannot be written" in capsys.readouterr().err
