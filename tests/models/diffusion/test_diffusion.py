"""Tests of genlab.Diffusion beyond the shared contract: images and tables, guidance,
inpainting, persistence and hyperparameter checks (tiny networks, a few epochs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import genlab
from genlab.data import masks

TINY = {
    "width": 8,
    "hidden": 32,
    "depth": 2,
    "emb_dim": 16,
    "timesteps": 50,
    "steps": 8,
    "bound_steps": 8,
    "max_epochs": 10,
    "batch_size": 64,
    "lr": 5e-3,
    "progress": False,
}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def digit_model(digits200):
    return genlab.Diffusion(**TINY).fit(digits200.X, digits200.y)


@pytest.fixture(scope="module")
def clusters():
    """Two well separated clusters in 2-d, labelled "left" and "right"."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(-4, 0.3, (150, 2)), rng.normal(4, 0.3, (150, 2))])
    return X, np.array(["left"] * 150 + ["right"] * 150)


def test_digits_come_back_as_integer_images_on_the_grid(digit_model):
    assert digit_model.module_config_["network"] == "unet"
    S = digit_model.sample(6, condition=3, random_state=0)
    assert S.shape == (6, 8, 8) and np.issubdtype(S.dtype, np.integer)
    assert S.min() >= 0 and S.max() <= 16
    assert digit_model.sample(0).shape == (0, 8, 8)


def test_sampling_is_seeded(digit_model):
    a = digit_model.sample(4, random_state=5)
    assert np.array_equal(a, digit_model.sample(4, random_state=5))
    assert not np.array_equal(a, digit_model.sample(4, random_state=6))


def test_a_table_keeps_its_types():
    mixed = genlab.load_dataset("mixed_table")
    m = genlab.Diffusion(**TINY).fit(mixed.X)
    assert m.module_config_["network"] == "mlp"
    S = m.sample(20, random_state=0)
    assert isinstance(S, pd.DataFrame) and (S.dtypes == mixed.X.dtypes).all()
    assert S["segment"].isin(["a", "b", "c"]).all() and S["age"].between(18, 80).all()
    assert np.isfinite(m.log_prob(mixed.X.head(5))).all()


def test_guidance_samples_honour_the_labels(clusters):
    X, y = clusters
    m = genlab.Diffusion(**{**TINY, "max_epochs": 60, "guidance": 2.0}).fit(X, y)
    for label, sign in (("left", -1), ("right", 1)):
        S = m.sample(40, condition=label, random_state=0)
        assert (np.sign(S).sum(axis=1) == 2 * sign).mean() > 0.9
    per_class = m.log_prob_per_class(m.sample(20, condition="right", random_state=1))
    assert (per_class.argmax(axis=1) == 1).mean() > 0.8
    unguided = m.set_params(guidance=0.0).sample(5, condition="left", random_state=0)
    assert not np.array_equal(unguided, m.set_params(guidance=2.0).sample(5, "left", 0))


def test_inpainting_keeps_observed_pixels_and_fills_the_grid(digit_model, digits200):
    X = digits200.X[:5]
    holes = masks.apply_mask(X, masks.bottom_half(X.shape))
    for kwargs in ({}, {"condition": digits200.y[:5]}):
        filled = digit_model.impute(holes, random_state=0, **kwargs)
        assert filled.shape == X.shape and np.issubdtype(filled.dtype, np.integer)
        assert np.array_equal(filled[:, :4], X[:, :4])
        assert filled.min() >= 0 and filled.max() <= 16
    mean = digit_model.impute(holes, method="mean", random_state=0)  # kept off the grid
    assert np.array_equal(mean[:, :4], X[:, :4]) and np.isfinite(mean).all()
    assert mean.min() >= 0 and mean.max() <= 16
    again = digit_model.set_params(resample=2).impute(holes, random_state=0)
    digit_model.set_params(resample=1)
    assert np.array_equal(again[:, :4], X[:, :4])


def test_table_imputation_keeps_observed_entries_bit_identical():
    X = genlab.load_dataset("iris").flat()
    m = genlab.Diffusion(**TINY).fit(X)
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.3, random_state=1))
    filled = m.impute(holes, random_state=0)
    seen = ~np.isnan(holes)
    assert np.isfinite(filled).all() and np.array_equal(filled[seen], holes[seen])


def test_log_prob_is_a_deterministic_bound(digit_model, digits200):
    assert digit_model.likelihood_is_bound
    lp = digit_model.log_prob(digits200.X[:10], condition=digits200.y[:10])
    assert np.array_equal(lp, digit_model.log_prob(digits200.X[:10], condition=digits200.y[:10]))
    assert np.all(lp < 0) and np.isfinite(digit_model.log_prob(digits200.X[:3])).all()
    holes = digits200.X[:2].astype(float)
    holes[0, 0, 0] = np.nan
    with pytest.raises(genlab.InputError, match="missing"):
        digit_model.log_prob(holes)


def test_save_load_gives_identical_outputs(digit_model, digits200, tmp_path):
    digit_model.save(tmp_path / "m")
    same = genlab.load_model(tmp_path / "m")
    assert type(same) is genlab.Diffusion and same.get_params() == digit_model.get_params()
    X = digits200.X[:5]
    assert np.array_equal(same.sample(3, condition=1, random_state=2), digit_model.sample(3, 1, 2))
    assert np.array_equal(
        same.log_prob(X, digits200.y[:5]), digit_model.log_prob(X, digits200.y[:5])
    )
    holes = masks.apply_mask(X, masks.bottom_half(X.shape))
    assert np.array_equal(
        same.impute(holes, random_state=0), digit_model.impute(holes, random_state=0)
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"guidance": -1.0},
        {"steps": 0},
        {"timesteps": 1},
        {"class_dropout": 1.0},
        {"emb_dim": 7},
        {"architecture": "transformer"},
        {"architecture": "unet"},  # on a table
        {"width": 2.5},
    ],
)
def test_bad_hyperparameters_give_input_errors(bad):
    X = genlab.load_dataset("iris").flat()
    with pytest.raises(genlab.InputError):
        genlab.Diffusion(**{**TINY, **bad}).fit(X)


def test_bad_settings_after_fit_give_input_errors(digit_model):
    try:
        with pytest.raises(genlab.InputError, match="steps"):
            digit_model.set_params(steps=0).sample(2, condition=0)
        with pytest.raises(genlab.InputError, match="guidance"):
            digit_model.set_params(steps=8, guidance=-0.5).sample(2, condition=0)
    finally:
        digit_model.set_params(steps=8, guidance=1.0)


def test_ddim_inversion_codes_decode_back_near_the_data(clusters):
    X = clusters[0]
    m = genlab.Diffusion(**{**TINY, "max_epochs": 60, "steps": 50}).fit(X)
    Z = m.encode(X[:40])
    assert Z.shape == (40, 2) and m.latent_dims == (2,)
    assert np.abs(m.decode(Z) - X[:40]).mean() < 0.5  # clusters at -4 and 4
    path = m.interpolate(X[0], X[200], steps=5)
    assert path.shape == (5, 2) and np.isfinite(path).all()
    from genlab.nn.interpolation import latent_path

    codes = m.encode(X[[0, 200]])
    assert np.array_equal(path, m.decode(latent_path(codes[0], codes[1], 5, "slerp")))
    with pytest.raises(genlab.InputError, match="shape"):
        m.decode(np.zeros((2, 3)))


def test_conditional_codes_take_the_label(digit_model, digits200):
    Z = digit_model.encode(digits200.X[:3], condition=digits200.y[:3])
    back = digit_model.decode(Z, condition=digits200.y[:3])
    assert back.shape == (3, 8, 8) and np.issubdtype(back.dtype, np.integer)
    path = digit_model.interpolate(
        digits200.X[0], digits200.X[1], steps=4, condition=digits200.y[0]
    )
    assert path.shape == (4, 8, 8)


@pytest.mark.parametrize("shape", [[8, 8], [5, 7, 3]])
def test_the_unet_takes_odd_sides_and_channels(shape):
    from genlab.models.diffusion.unet import UNet

    net = UNet({"image_shape": shape, "width": 8, "emb_dim": 16, "n_classes": 2})
    d = int(np.prod(shape))
    out = net(torch.zeros(3, d), torch.tensor([0, 4, 9]), torch.tensor([0, 1, -1]))
    assert out.shape == (3, d)
