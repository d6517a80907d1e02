"""``genlab sample``: a PNG grid with one row per class (and the image's bits/dim score)."""

from __future__ import annotations

import pandas as pd

from genlab.cli import run


def test_digits_png_grid_with_one_row_per_class(tmp_path):
    model = tmp_path / "kde"
    assert run("fit", "kde", "digits", "-o", model, "--label-column", "label", "-q") == 0
    assert run("sample", model, "-n", "4", "--condition", "all", "-o", tmp_path / "g.png") == 0
    assert (tmp_path / "g.png").stat().st_size > 0
    assert run("score", model, "digits", "-o", tmp_path / "lp.csv", "-q") == 0
    assert "bits_per_dim" in pd.read_csv(tmp_path / "lp.csv")
