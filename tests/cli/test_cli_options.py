"""What the commands share: outputs refused before any work, and one --quiet for all."""

from __future__ import annotations

import pandas as pd

import genlab
from genlab.cli import run
from genlab.data import masks


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


def test_quiet_silences_the_progress_of_any_command(tmp_path, capsys):
    model = tmp_path / "kde"
    assert run("fit", "kde", "iris", "-o", model, "-q") == 0
    assert capsys.readouterr().err == ""
    assert run("score", model, "iris", "-o", tmp_path / "lp.csv", "--quiet") == 0
    assert capsys.readouterr().err == ""
    assert run("sample", model, "-o", tmp_path / "s.csv", "-q") == 0
    assert capsys.readouterr().err == ""
    # without it the same commands report: a quiet run does not carry over to the next one
    assert run("fit", "kde", "iris", "-o", model) == 0
    said = capsys.readouterr().err
    assert "✓ Fitting kde on iris (150 rows)" in said and f"Saved to {model}" in said
    assert run("score", model, "iris", "-o", tmp_path / "lp.csv") == 0
    said = capsys.readouterr().err
    assert "✓ Scoring 150 rows" in said and "mean log p" in said
