"""Files written by an earlier genlab still load and decode bit-exactly; a newer format is
refused with a message naming both versions (fixtures: tests/fixtures/v0_1_0/README.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import genlab

OLD = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1_0"


@pytest.mark.parametrize("name", ["ar", "vae"])
def test_old_compressed_files_decode_with_old_model_folders(name):
    model = genlab.load_model(OLD / f"{name}-digits")
    blob = (OLD / f"{name}-digits6.glz").read_bytes()
    digits = np.load(OLD / "digits6.npy")
    assert np.array_equal(genlab.decompress(blob, model), digits)
    assert genlab.compress(model, digits) == blob  # the coder itself is unchanged too


@pytest.mark.parametrize("name", ["ar", "vae"])
def test_old_models_give_the_same_likelihoods(name):
    model = genlab.load_model(OLD / f"{name}-digits")
    digits = np.load(OLD / "digits6.npy")
    assert np.array_equal(model.log_prob(digits), np.load(OLD / f"{name}-lp.npy"))


def test_old_mixture_on_a_mixed_table_gives_the_same_likelihoods():
    model = genlab.load_model(OLD / "gmm-mixed")
    rows = genlab.load_dataset("mixed_table").X.iloc[:10]
    assert np.array_equal(model.log_prob(rows), np.load(OLD / "gmm-mixed-lp.npy"))


def test_a_newer_format_is_refused_naming_the_versions(tmp_path):
    folder = shutil.copytree(OLD / "gmm-mixed", tmp_path / "gmm")
    config = json.loads((folder / "model.json").read_text())
    config["format_version"] = 99
    (folder / "model.json").write_text(json.dumps(config))
    with pytest.raises(genlab.ModelFileError, match=r"format 99.*reads format <= 1"):
        genlab.load_model(folder)
