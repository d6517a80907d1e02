"""Missingness masks: rates, mechanisms, image shapes, apply_mask dtypes, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genlab.core.errors import InputError
from genlab.data.masks import apply_mask, bottom_half, box, mar, mcar, mnar, random_pixels


@pytest.fixture
def table() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.normal(size=(2000, 5)) @ rng.normal(size=(5, 5))


# --- tabular mechanisms -------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.6])
def test_mcar_rate(rate):
    mask = mcar((400, 25), rate, random_state=0)
    assert mask.dtype == bool and mask.shape == (400, 25)
    assert abs(mask.mean() - rate) < 0.015


def test_mcar_takes_arrays_frames_and_generators(table):
    frame = pd.DataFrame(table)
    assert mcar(table, 0.2).shape == table.shape
    assert mcar(frame, 0.2).shape == frame.shape
    np.testing.assert_array_equal(
        mcar(table, 0.2, random_state=5), mcar(frame, 0.2, random_state=np.random.default_rng(5))
    )


@pytest.mark.parametrize("rate", [0.1, 0.4])
def test_mar_rate_observed_driver_and_dependence(table, rate):
    before = table.copy()
    mask = mar(table, rate, random_state=0)
    np.testing.assert_array_equal(table, before)
    assert mask.shape == table.shape
    assert abs(mask.mean() - rate) < 0.015
    assert not mask[:, 0].any()
    for j in range(1, table.shape[1]):
        # Each column's missingness depends strongly on the driving column ...
        assert abs(np.corrcoef(mask[:, j], table[:, 0])[0, 1]) > 0.2
        assert abs(mask[:, j].mean() - rate * 5 / 4) < 0.04


def test_mar_on_a_frame_uses_the_first_numeric_column():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "color": pd.Categorical(rng.choice(["red", "blue"], size=1000)),
            "x": rng.normal(size=1000),
            "y": rng.normal(size=1000),
        }
    )
    mask = mar(frame, 0.2, random_state=0)
    assert not mask[:, 1].any()
    assert mask[:, 0].any() and mask[:, 2].any()


def test_mar_errors(table):
    with pytest.raises(InputError, match="at least 2 columns"):
        mar(table[:, :1], 0.2)
    with pytest.raises(InputError, match="rate must be below"):
        mar(table, 0.85)
    bad = table.copy()
    bad[7, 0] = np.nan
    with pytest.raises(InputError, match=r"column 0 .* row 7"):
        mar(bad, 0.2)
    with pytest.raises(InputError, match="numeric column"):
        mar(pd.DataFrame({"a": ["x", "y"], "b": ["u", "v"]}), 0.2)


def test_mnar_rate_and_self_masking(table):
    mask = mnar(table, 0.25, random_state=0)
    assert abs(mask.mean() - 0.25) < 0.015
    for j in range(table.shape[1]):
        assert abs(mask[:, j].mean() - 0.25) < 0.04
        assert table[mask[:, j], j].mean() > table[~mask[:, j], j].mean()


def test_mnar_names_the_bad_column():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "name": ["a", "b", "c"]})
    with pytest.raises(InputError, match="'name'"):
        mnar(frame, 0.2)
    with pytest.raises(InputError, match=r"column 1 .* row 2"):
        mnar(np.array([[0.0, 1.0], [1.0, 2.0], [2.0, np.inf]]), 0.2)


def test_constant_column_falls_back_to_mcar():
    X = np.ones((4000, 2))
    assert abs(mnar(X, 0.3, random_state=0).mean() - 0.3) < 0.03


@pytest.mark.parametrize("make", [mcar, mar, mnar, random_pixels])
def test_rate_zero_masks_nothing(make, table):
    assert not make(table[:, :4].reshape(500, 4, 4) if make is random_pixels else table, 0.0).any()


@pytest.mark.parametrize("make", [mcar, mar, mnar, random_pixels])
@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.2", None])
def test_bad_rate_is_input_error(make, rate):
    with pytest.raises(InputError, match="rate"):
        make(np.zeros((10, 3, 3)) if make is random_pixels else np.zeros((10, 3)), rate)


# --- image masks ----------------------------------------------------------------------------


def test_random_pixels_repeats_over_channels():
    mask = random_pixels((50, 16, 16, 3), 0.3, random_state=0)
    assert mask.shape == (50, 16, 16, 3)
    np.testing.assert_array_equal(mask[..., 0], mask[..., 2])
    assert abs(mask.mean() - 0.3) < 0.02
    assert random_pixels((8, 8), 0.5, random_state=0).shape == (8, 8)


@pytest.mark.parametrize("shape", [(6, 10), (4, 6, 10), (4, 6, 10, 3)])
def test_box_is_one_square_per_image(shape):
    mask = box(shape, size=4, random_state=1)
    assert mask.shape == shape
    pixels = mask if len(shape) == 3 else mask[None] if len(shape) == 2 else mask[..., 0]
    for image in pixels:
        rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
        assert image.sum() == 16
        assert np.ptp(rows) == 3 and np.ptp(cols) == 3


def test_box_default_size_and_errors():
    assert box((8, 12), random_state=0).sum() == 16  # half of the shorter side: 4x4
    images = np.zeros((3, 8, 8), dtype=np.uint8)
    assert box(images).shape == images.shape
    with pytest.raises(InputError, match="size"):
        box((8, 8), size=9)
    with pytest.raises(InputError, match="size"):
        box((8, 8), size=0)


def test_bottom_half():
    np.testing.assert_array_equal(
        bottom_half((4, 2)), [[False, False], [False, False], [True, True], [True, True]]
    )
    mask = bottom_half(np.zeros((2, 5, 3, 3)))
    assert mask.shape == (2, 5, 3, 3)
    assert not mask[:, :2].any() and mask[:, 2:].all()  # odd height: middle row is bottom


@pytest.mark.parametrize("shape", [(5,), (1, 2, 3, 4, 5), (4, -1), (4.0, 4)])
def test_bad_image_shape(shape):
    with pytest.raises(InputError, match="shape"):
        bottom_half(shape)


# --- apply_mask -----------------------------------------------------------------------------


def test_apply_mask_ndarray():
    X = np.arange(6).reshape(2, 3)
    mask = np.array([[True, False, False], [False, False, True]])
    out = apply_mask(X, mask)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(np.isnan(out), mask)
    np.testing.assert_array_equal(X, np.arange(6).reshape(2, 3))  # input untouched
    f32 = apply_mask(X.astype(np.float32), mask)
    assert f32.dtype == np.float32 and np.isnan(f32[0, 0])
    strings = apply_mask(np.array([["a", "b", "c"], ["d", "e", "f"]]), mask)
    assert strings[0, 0] is None and strings[0, 1] == "b"


def test_apply_mask_image_array():
    images = np.full((2, 4, 4, 3), 7, dtype=np.uint8)
    out = apply_mask(images, bottom_half(images))
    assert out.shape == images.shape and out.dtype == np.float64
    assert np.isnan(out[:, 2:]).all() and (out[:, :2] == 7).all()


def test_apply_mask_frame_keeps_dtypes():
    frame = pd.DataFrame(
        {
            "f": [0.5, 1.5, 2.5],
            "f32": np.array([1, 2, 3], dtype=np.float32),
            "i": [1, 2, 3],
            "i_untouched": [1, 2, 3],
            "nullable": pd.array([1, 2, 3], dtype="Int64"),
            "b": [True, False, True],
            "cat": pd.Categorical(["a", "b", "a"], categories=["a", "b", "c"]),
            "obj": np.array(["x", 1, "z"], dtype=object),
            "s": pd.array(["u", "v", "w"], dtype="string"),
            "s_default": ["u", "v", "w"],  # pandas' default string dtype
            "t": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
        },
        index=[10, 11, 12],
    )
    before = frame.copy()
    mask = np.zeros(frame.shape, dtype=bool)
    mask[1, :] = True
    mask[1, frame.columns.get_loc("i_untouched")] = False
    out = apply_mask(frame, mask)
    pd.testing.assert_frame_equal(frame, before)
    np.testing.assert_array_equal(out.isna().to_numpy(), mask)
    assert list(out.index) == [10, 11, 12] and list(out.columns) == list(frame.columns)
    expected = dict(before.dtypes)
    expected.update(i=np.dtype(np.float64), b=pd.BooleanDtype())
    assert dict(out.dtypes) == expected
    assert list(out["cat"].cat.categories) == ["a", "b", "c"]
    assert out.loc[12, "cat"] == "a" and out.loc[10, "i"] == 1.0


def test_apply_mask_accepts_a_frame_mask():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    out = apply_mask(frame, frame > 3.5)
    assert out.isna().to_numpy().tolist() == [[False, False], [False, True]]


def test_apply_mask_errors():
    with pytest.raises(InputError, match="shape"):
        apply_mask(np.zeros((2, 3)), np.zeros((3, 2), dtype=bool))
    with pytest.raises(InputError, match="shape"):
        apply_mask(pd.DataFrame(np.zeros((2, 3))), np.zeros((2, 2), dtype=bool))
    with pytest.raises(InputError, match="boolean"):
        apply_mask(np.zeros((2, 3)), np.zeros((2, 3)))
