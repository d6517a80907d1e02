"""Files written by an earlier genlab still load and decode bit-exactly; a newer format is
refused with a message naming both versions (fixtures: tests/fixtures/v0_1_0/README.md).

Bit-exact holds on the CPU family the fixtures were written on: the VAE's float32 network
rounds differently where torch picks other kernels (AVX-512 against AVX2: about 1e-6 nats
apart). There a fixture file must still decode exactly or be refused with ModelFileError,
never decode to other data (tests/old_files.py), and the likelihoods agree to float32
rounding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import genlab
from old_files import assert_decodes_or_refuses, same_arithmetic

OLD = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1_0"


@pytest.mark.parametrize("name", ["ar", "vae"])
def test_old_compressed_files_decode_with_old_model_folders(name):
    model = genlab.load_model(OLD / f"{name}-digits")
    blob = (OLD / f"{name}-digits6.glz").read_bytes()
    digits = np.load(OLD / "digits6.npy")
    if name == "ar" or same_arithmetic(model, digits, np.load(OLD / f"{name}-lp.npy")):
        assert np.array_equal(genlab.decompress(blob, model), digits)
        assert genlab.compress(model, digits) == blob  # the coder itself is unchanged too
    else:
        assert_decodes_or_refuses(blob, model, digits, np.array_equal)


@pytest.mark.parametrize("name", ["ar", "vae"])
def test_old_models_give_the_same_likelihoods(name):
    model = genlab.load_model(OLD / f"{name}-digits")
    digits = np.load(OLD / "digits6.npy")
    expected = np.load(OLD / f"{name}-lp.npy")
    if name == "ar":  # an MLP on fixed chunks: the same bits on every CPU seen so far
        assert np.array_equal(model.log_prob(digits), expected)
    else:
        np.testing.assert_allclose(model.log_prob(digits), expected, rtol=1e-6, atol=1e-4)


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
