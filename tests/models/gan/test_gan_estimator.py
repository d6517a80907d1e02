"""Tests of genlab.GAN beyond the shared contract: samples in the user's types, seeds,
class-conditional sampling, latent codes, refused capabilities, persistence, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genlab
from genlab.nn.interpolation import latent_path

TINY = {"latent_dim": 4, "hidden": 32, "conv_width": 8, "lr": 2e-3, "progress": False}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def digits_gan(digits200):
    return genlab.GAN(max_epochs=3, **TINY).fit(digits200)


@pytest.fixture(scope="module")
def mixed():
    return genlab.load_dataset("mixed_table")


@pytest.fixture(scope="module")
def clusters():
    """Two well separated 2-d clusters, labelled by side."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    X = rng.normal(size=(400, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return X, y


def test_digit_samples_are_images_on_the_grid(digits_gan):
    S = digits_gan.sample(6, random_state=0)
    assert S.shape == (6, 8, 8) and np.issubdtype(S.dtype, np.integer)
    assert S.min() >= 0 and S.max() <= 16
    assert digits_gan.module_config_["architecture"] == "conv"


def test_table_samples_keep_columns_dtypes_and_categories(mixed):
    gan = genlab.GAN(max_epochs=3, **TINY).fit(mixed.X)
    S = gan.sample(40, random_state=1)
    assert list(S.columns) == list(mixed.X.columns)
    assert (S.dtypes == mixed.X.dtypes).all()
    assert S["segment"].isin(["a", "b", "c"]).all() and S["owner"].isin([True, False]).all()
    assert gan.module_config_["architecture"] == "mlp"


def test_sampling_is_seeded(digits_gan, digits200):
    a = digits_gan.sample(5, random_state=3)
    assert np.array_equal(a, digits_gan.sample(5, random_state=3))
    assert not np.array_equal(a, digits_gan.sample(5, random_state=4))
    again = genlab.GAN(max_epochs=3, **TINY).fit(digits200)  # same random_state: same weights
    assert np.array_equal(a, again.sample(5, random_state=3))


def test_class_conditional_samples_follow_the_label(clusters):
    X, y = clusters
    gan = genlab.GAN(latent_dim=4, hidden=32, lr=2e-3, max_epochs=20, progress=False).fit(X, y)
    right = gan.sample(200, condition=1, random_state=0).sum(axis=1) > 0
    left = gan.sample(200, condition=0, random_state=0).sum(axis=1) < 0
    assert right.mean() > 0.7 and left.mean() > 0.7
    both = gan.sample(200, random_state=0)  # the class drawn from its training frequency
    assert 0.2 < (both.sum(axis=1) > 0).mean() < 0.8
    with pytest.raises(genlab.InputError, match="unknown label"):
        gan.sample(2, condition=5)
    with pytest.raises(genlab.InputError, match="condition="):
        gan.decode(np.zeros((1, 4)))
    assert gan.decode(np.zeros((2, 4)), condition=[0, 1]).shape == (2, 2)


def test_decode_draw_latents_and_interpolate_agree_with_sample(digits_gan):
    Z = digits_gan.draw_latents(3, random_state=7)
    assert Z.shape == (3, 4)
    assert np.array_equal(digits_gan.decode(Z), digits_gan.sample(3, random_state=7))
    path = digits_gan.interpolate(7, Z[0] * 0.5, steps=5, method="lerp")
    z0 = digits_gan.draw_latents(1, random_state=7)[0]
    assert path.shape == (5, 8, 8)
    assert np.array_equal(path, digits_gan.decode(latent_path(z0, Z[0] * 0.5, 5, "lerp")))
    assert np.array_equal(path[0], digits_gan.sample(1, random_state=7)[0])


@pytest.mark.parametrize(
    ("call", "named"),
    [
        ("log_prob", "autoregressive"),
        ("bits_per_dim", "autoregressive"),
        ("score", "autoregressive"),
        ("impute", "autoregressive"),
        ("encode", "vae"),
    ],
)
def test_no_likelihood_no_encoder(digits_gan, digits200, call, named):
    with pytest.raises(genlab.CapabilityError, match=rf"families that can: .*'{named}'"):
        getattr(digits_gan, call)(digits200.X[:3])
    assert "latent" not in digits_gan.capabilities


def test_compress_is_refused(digits_gan, digits200):
    with pytest.raises(genlab.CapabilityError, match="AutoregressiveModel"):
        genlab.compress(digits_gan, digits200.X[:3])


def test_save_load_gives_identical_samples(mixed, tmp_path):
    gan = genlab.GAN(max_epochs=2, **TINY).fit(mixed.X, mixed.y)
    gan.save(tmp_path / "gan")
    same = genlab.load_model(tmp_path / "gan")
    assert type(same) is genlab.GAN and same.get_params() == gan.get_params()
    assert same.sample(10, condition="b", random_state=3).equals(
        gan.sample(10, condition="b", random_state=3)
    )
    Z = gan.draw_latents(4, random_state=0)
    assert same.decode(Z, condition="a").equals(gan.decode(Z, condition="a"))


def test_keep_best_restores_the_lowest_validation_loss(clusters):
    X, _ = clusters
    gan = genlab.GAN(keep="best", max_epochs=4, **TINY).fit(X)
    result = gan.train_result_
    assert result.best_val_loss == min(r["val_loss"] for r in result.history)
    last = genlab.GAN(max_epochs=4, **TINY).fit(X).train_result_
    assert last.best_epoch == 4 and last.best_val_loss == last.history[-1]["val_loss"]


@pytest.mark.parametrize(
    "params",
    [
        {"latent_dim": 0},
        {"hidden": 2.5},
        {"architecture": "transformer"},
        {"architecture": "conv"},  # a table is no image
        {"r1_gamma": -1.0},
        {"beta1": 1.0},
        {"gumbel_tau": 0},
        {"keep": "middle"},
    ],
)
def test_bad_hyperparameters_raise_input_error(params, clusters):
    with pytest.raises(genlab.InputError):
        genlab.GAN(**{**TINY, "max_epochs": 1, **params}).fit(clusters[0])


def test_bad_inputs_raise_input_error(digits_gan):
    with pytest.raises(genlab.InputError, match="4 dimensions"):
        digits_gan.decode(np.zeros((2, 3)))
    with pytest.raises(genlab.InputError, match="NaN"):
        digits_gan.decode(np.full((1, 4), np.nan))
    with pytest.raises(genlab.InputError, match="numbers"):
        digits_gan.decode([["a", "b", "c", "d"]])
    with pytest.raises(genlab.InputError, match="steps"):
        digits_gan.interpolate(0, 1, steps=1)
    with pytest.raises(genlab.InputError, match="one latent code"):
        digits_gan.interpolate(np.zeros((2, 4)), 1)
    with pytest.raises(genlab.InputError, match="non-negative"):
        digits_gan.draw_latents(-1)
    with pytest.raises(genlab.InputError, match="fitted without labels"):
        digits_gan.sample(2, condition=1)
    with pytest.raises(genlab.InputError, match="missing"):
        genlab.GAN(**TINY).fit(np.array([[1.0, np.nan], [2.0, 3.0], [0.0, 1.0]]))
    with pytest.raises(genlab.NotFittedError):
        genlab.GAN().sample(2)
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(genlab.InputError):
        genlab.GAN(**TINY).fit(frame, y=[0, 1])  # labels of the wrong length
