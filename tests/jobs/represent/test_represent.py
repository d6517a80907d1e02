"""Representations: encode/decode/interpolate for every latent family, latent arithmetic, and
the ``genlab encode`` / ``genlab interpolate`` commands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import genlab
from genlab.cli import run
from genlab.jobs.represent import attribute_vector, decode, encode, interpolate, latent_path
from genlab.nn import interpolation

TINY_VAE = {"latent_dim": 2, "hidden": 32, "max_epochs": 3, "progress": False}
TINY_FLOW = {"transforms": 1, "hidden_features": 8, "base_components": 1, "max_epochs": 3}


@pytest.fixture(scope="module")
def digits():
    return genlab.load_dataset("digits").subset(np.arange(300))


@pytest.fixture(scope="module")
def vae(digits):
    return genlab.VAE(**TINY_VAE).fit(digits)


def test_vae_codes_decode_to_images(vae, digits):
    Z = encode(vae, digits.X[:6])
    assert Z.shape == (6, 2) and np.isfinite(Z).all()
    assert np.array_equal(Z, vae.encode(digits.X[:6]))  # the family's own posterior means
    X = decode(vae, Z)
    assert X.shape == (6, 8, 8) and X.dtype.kind == "i" and X.min() >= 0 and X.max() <= 16


def test_interpolation_ends_are_the_reconstructions(vae, digits):
    x0, x1 = digits.X[0], digits.X[5]
    for method in ("slerp", "lerp"):
        strip = interpolate(vae, x0, x1, steps=6, method=method)
        assert strip.shape == (6, 8, 8)
        ends = decode(vae, encode(vae, np.stack([x0, x1])))
        assert np.array_equal(strip[[0, -1]], ends)


def test_latent_path_slerp_keeps_the_norm_and_lerp_is_straight():
    z0, z1 = np.array([3.0, 0.0, 0.0]), np.array([0.0, 0.0, 3.0])
    arc = latent_path(z0, z1, steps=7, method="slerp")
    assert np.allclose(np.linalg.norm(arc, axis=1), 3.0)
    assert np.allclose(arc[[0, -1]], [z0, z1])
    line = latent_path(z0, z1, steps=3, method="lerp")
    assert np.allclose(line[1], (z0 + z1) / 2)
    assert np.allclose(latent_path(z0, 2 * z0, steps=3), [z0, 1.5 * z0, 2 * z0])  # parallel
    with pytest.raises(genlab.InputError, match="method"):
        latent_path(z0, z1, method="cubic")
    with pytest.raises(genlab.InputError, match="steps"):
        latent_path(z0, z1, steps=1)
    with pytest.raises(genlab.InputError, match="differ"):
        latent_path(z0, z1[:2])
    assert latent_path is interpolation.latent_path  # one path for every job


def test_attribute_vectors_average_to_zero(vae, digits):
    Z = encode(vae, digits.X)
    classes, counts = np.unique(digits.y, return_counts=True)
    vectors = np.stack([attribute_vector(vae, digits.X, digits.y, c) for c in classes])
    assert vectors.shape == (10, 2)
    assert np.allclose(counts @ vectors, 0.0, atol=1e-8)  # class means average to the mean
    assert np.allclose(vectors[3], Z[digits.y == 3].mean(0) - Z.mean(0))
    with pytest.raises(genlab.InputError, match="no row has label"):
        attribute_vector(vae, digits.X, digits.y, 42)


def test_flow_codes_round_trip():
    X = genlab.load_dataset("iris").flat()
    flow = genlab.Flow(**TINY_FLOW, progress=False).fit(X)
    Z = encode(flow, X[:5])
    assert Z.shape == (5, 4)
    assert np.allclose(decode(flow, Z), X[:5], atol=1e-4)
    strip = interpolate(flow, X[0], X[100], steps=4, method="lerp")
    assert strip.shape == (4, 4) and np.allclose(strip[[0, -1]], X[[0, 100]], atol=1e-4)


def test_gaussian_mixture_encodes_to_cluster_posteriors():
    ds = genlab.load_dataset("eight_gaussians")
    gmm = genlab.GaussianMixture(n_components=8, random_state=0).fit(ds)
    R = encode(gmm, ds.X[:50])
    assert R.shape == (50, 8) and np.allclose(R.sum(1), 1.0)
    assert (R.max(1) > 0.9).mean() > 0.9  # well-separated blobs: confident assignments
    with pytest.raises(genlab.CapabilityError, match="cluster posteriors"):
        decode(gmm, R)


def test_conditional_models_need_a_condition(digits):
    vae = genlab.VAE(**TINY_VAE).fit(digits, digits.y)
    with pytest.raises(genlab.InputError, match="condition"):
        encode(vae, digits.X[:2])
    assert encode(vae, digits.X[:2], condition=digits.y[:2]).shape == (2, 2)
    assert interpolate(vae, digits.X[0], digits.X[1], steps=3, condition=0).shape == (3, 8, 8)


def test_families_without_latents_say_which_have_them(digits):
    kde = genlab.KDE().fit(genlab.load_dataset("iris").flat())
    with pytest.raises(genlab.CapabilityError, match="GaussianMixture"):
        encode(kde, np.zeros((1, 4)))
    with pytest.raises(genlab.CapabilityError, match="latent"):
        decode(kde, np.zeros((1, 2)))


def test_cli_encode_and_interpolate(tmp_path):
    model = tmp_path / "vae"
    sets = ["--set", "latent_dim=2", "--set", "hidden=16", "--set", "max_epochs=2"]
    assert run("fit", "vae", "digits", "-o", model, *sets, "-q") == 0
    assert (
        run(
            "encode",
            model,
            "digits:test",
            "-o",
            tmp_path / "z.csv",
            "--label-column",
            "label",
            "-q",
        )
        == 0
    )
    table = pd.read_csv(tmp_path / "z.csv")
    assert list(table.columns) == ["z1", "z2", "label"] and len(table) == 360
    assert run("encode", model, "digits:test", "-o", tmp_path / "z.npy", "-q") == 0
    assert np.allclose(np.load(tmp_path / "z.npy"), table[["z1", "z2"]].to_numpy())
    png = tmp_path / "strip.png"
    args = ["--pair", "0,1", "--pair", "2,3", "--steps", "5", "-q"]
    assert run("interpolate", model, "digits:test", "-o", png, *args) == 0
    width, height = Image.open(png).size
    assert width > height > 0  # two strips of five, one strip per row
    assert run("interpolate", model, "digits", "-o", png, "--pair", "0,99999", "-q") == 2
    assert run("encode", model, "digits", "-o", tmp_path / "z.txt", "-q") == 2


def test_class_prior_vae_encodes_without_labels(digits, tmp_path):
    vae = genlab.VAE(**TINY_VAE, latent_prior="class").fit(digits, digits.y)
    Z = encode(vae, digits.X[:4])  # no condition: the encoder never sees the label
    assert Z.shape == (4, 2)
    assert decode(vae, Z).shape == (4, 8, 8)
    assert vae.sample(3, condition=7, random_state=0).shape == (3, 8, 8)
    vae.save(tmp_path / "m")
    assert np.array_equal(encode(genlab.load_model(tmp_path / "m"), digits.X[:4]), Z)
    with pytest.raises(genlab.InputError, match="needs class labels"):
        genlab.VAE(**TINY_VAE, latent_prior="class").fit(digits)
    with pytest.raises(genlab.InputError, match="latent_prior"):
        genlab.VAE(**TINY_VAE, latent_prior="vamp").fit(digits)
    with pytest.raises(genlab.InputError, match="beta"):
        genlab.VAE(**TINY_VAE, beta=0).fit(digits)
