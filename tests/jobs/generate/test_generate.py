"""The generate job: drawing samples, and turning them into a picture, a table or a file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import genlab
from genlab.core.errors import InputError
from genlab.jobs.generate import as_table, check_output, draw, image_levels, picture, write_samples


@pytest.fixture(scope="module")
def digits_kde():
    digits = genlab.load_dataset("digits").subset(np.arange(120))
    return genlab.KDE().fit(digits, digits.y)


@pytest.fixture(scope="module")
def table_kde():
    frame = pd.DataFrame({"a": np.linspace(0, 1, 30), "b": np.linspace(5, 2, 30)})
    return genlab.KDE().fit(frame)


def test_draw_is_one_sample_call_with_its_seed(digits_kde):
    drawn = draw(digits_kde, 7, random_state=3)
    assert drawn.values.shape == (7, 8, 8) and drawn.seconds >= 0
    np.testing.assert_array_equal(drawn.values, digits_kde.sample(7, random_state=3))
    assert not np.array_equal(drawn.values, draw(digits_kde, 7, random_state=4).values)


def test_draw_passes_the_condition(digits_kde):
    drawn = draw(digits_kde, 5, condition=4, random_state=0)
    np.testing.assert_array_equal(drawn.values, digits_kde.sample(5, 4, random_state=0))


def test_picture_tiles_images_on_their_grey_levels(digits_kde):
    X = np.zeros((5, 8, 8))
    X[1] = 16  # the brightest level of digits is white
    grid = picture(X, digits_kde.schema_, ncols=5, scale=1)
    assert grid.shape == (10, 46, 3) and grid.dtype == np.uint8
    assert (grid[1:9, 10:18] == 255).all() and (grid[1:9, 1:9] == 0).all()
    assert image_levels(digits_kde.schema_) == (0, 16)


def test_a_table_is_no_picture(table_kde):
    with pytest.raises(InputError, match="picture needs images"):
        picture(table_kde.sample(3, random_state=0), table_kde.schema_)
    assert image_levels(table_kde.schema_) == (0, 255)


def test_samples_become_a_table_with_the_schema_names(digits_kde, table_kde):
    assert list(as_table(table_kde.sample(4, random_state=0), table_kde.schema_)) == ["a", "b"]
    images = as_table(digits_kde.sample(4, random_state=0), digits_kde.schema_)
    assert images.shape == (4, 64) and list(images.columns) == digits_kde.schema_.names


@pytest.mark.parametrize("suffix", [".png", ".npy", ".csv", ".parquet"])
def test_write_samples_writes_each_format(tmp_path, digits_kde, suffix):
    X = digits_kde.sample(6, random_state=0)
    out = write_samples(X, tmp_path / "sub" / f"s{suffix}", digits_kde.schema_, ncols=3)
    if suffix == ".png":
        with Image.open(out) as image:
            assert image.size == (28 * 4, 19 * 4)  # 3 x 2 tiles of 8 + 1 pixels, scaled 4x
    elif suffix == ".npy":
        np.testing.assert_array_equal(np.load(out), X)
    elif suffix == ".csv":
        assert pd.read_csv(out).shape == (6, 64)
    else:
        assert pd.read_parquet(out).shape == (6, 64)


def test_outputs_that_cannot_be_written_are_refused_first(tmp_path, table_kde):
    with pytest.raises(InputError, match="unknown output format"):
        check_output(tmp_path / "s.txt")
    with pytest.raises(InputError, match=r"a \.png output needs images"):
        write_samples(table_kde.sample(2, random_state=0), tmp_path / "s.png", table_kde.schema_)
    assert not (tmp_path / "s.png").exists()
