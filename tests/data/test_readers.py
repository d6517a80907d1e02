"""Readers: tables, image folders, .npy; every user mistake is an InputError naming the file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from genlab.core.errors import InputError
from genlab.data.readers import read_images, read_npy, read_table, write_images


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"x": [0.5, 1.5, 2.5], "n": [1, 2, 3], "c": ["a", "b", "a"]})


def _save(folder, name, array, **kwargs):
    Image.fromarray(array).save(folder / name, **kwargs)


def _gradient(height=6, width=5, channels=None) -> np.ndarray:
    image = (np.arange(height * width).reshape(height, width) * 7 % 256).astype(np.uint8)
    return image if channels is None else np.stack([image, 255 - image, image // 2], axis=-1)


# --- tables --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".PQ"])
def test_read_table_round_trip(tmp_path, frame, suffix):
    path = tmp_path / f"t{suffix}"
    if suffix.lower() in (".parquet", ".pq"):
        frame.to_parquet(path, engine="pyarrow")
    else:
        frame.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
    out = read_table(str(path))
    assert list(out.columns) == ["x", "n", "c"]
    np.testing.assert_array_equal(out["x"], frame["x"])
    assert out["n"].tolist() == [1, 2, 3] and out["c"].tolist() == ["a", "b", "a"]


def test_read_table_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="not a file"):
        read_table(tmp_path)
    (tmp_path / "t.xlsx").write_bytes(b"x")
    with pytest.raises(InputError, match=r"t\.xlsx: unknown table format '\.xlsx'"):
        read_table(tmp_path / "t.xlsx")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty table"),
        ("header_only.csv", b"a,b\n", "empty table"),
        ("ragged.csv", b"a,b\n1,2\n1,2,3\n", r"ragged\.csv: cannot parse"),
        ("binary.csv", b"a,b\n\xff\xfe\x00\x81,\xc3\x28\n", r"binary\.csv: cannot parse"),
        ("junk.parquet", b"this is not parquet at all", r"junk\.parquet: cannot parse"),
        ("truncated.parquet", None, r"truncated\.parquet: cannot parse"),
    ],
)
def test_read_table_bad_content(tmp_path, frame, name, content, message):
    path = tmp_path / name
    if content is None:
        frame.to_parquet(path, engine="pyarrow")
        path.write_bytes(path.read_bytes()[:40])
    else:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_table(path)


def test_read_table_empty_parquet(tmp_path, frame):
    frame.iloc[:0].to_parquet(tmp_path / "e.parquet", engine="pyarrow")
    with pytest.raises(InputError, match="empty table"):
        read_table(tmp_path / "e.parquet")


# --- images --------------------------------------------------------------------------------


def test_read_images_grayscale_sorted_and_other_files_ignored(tmp_path):
    for i, name in enumerate(["b.png", "a.png", "c.PNG"]):
        _save(tmp_path, name, _gradient() + i)
    (tmp_path / "notes.txt").write_text("not an image")
    images, names = read_images(tmp_path)
    assert names == ["a.png", "b.png", "c.PNG"]
    assert images.shape == (3, 6, 5) and images.dtype == np.uint8
    np.testing.assert_array_equal(images[0], _gradient() + 1)  # a.png, written second


def test_read_images_auto_mode_mixed_gray_rgb_and_jpeg(tmp_path):
    _save(tmp_path, "0.png", _gradient())
    _save(tmp_path, "1.png", _gradient(channels=3))
    _save(tmp_path, "2.jpg", _gradient(channels=3), quality=95)
    images, names = read_images(tmp_path)
    assert images.shape == (3, 6, 5, 3) and names == ["0.png", "1.png", "2.jpg"]
    np.testing.assert_array_equal(images[0, ..., 0], images[0, ..., 1])  # gray -> equal channels
    np.testing.assert_array_equal(images[1], _gradient(channels=3))
    assert np.abs(images[2].astype(int) - _gradient(channels=3)).mean() < 20  # lossy but close


def test_read_images_explicit_modes_and_alpha(tmp_path):
    rgba = np.concatenate([_gradient(channels=3), np.full((6, 5, 1), 128, np.uint8)], axis=-1)
    _save(tmp_path, "rgba.png", rgba)
    rgb, _ = read_images(tmp_path, mode="RGB")
    np.testing.assert_array_equal(rgb[0], rgba[..., :3])
    gray, _ = read_images(tmp_path, mode="L")
    assert gray.shape == (1, 6, 5)
    palette = Image.fromarray(_gradient()).convert("P")
    palette.info["transparency"] = 0
    palette.save(tmp_path / "zz_palette.png", transparency=0)
    images, _ = read_images(tmp_path)
    assert images.shape == (2, 6, 5, 3)


def test_read_images_size_mismatch_names_the_file(tmp_path):
    _save(tmp_path, "a.png", _gradient())
    _save(tmp_path, "b.png", _gradient(height=7))
    with pytest.raises(InputError, match=r"b\.png: size \(7, 5\)"):
        read_images(tmp_path)
    images, _ = read_images(tmp_path, size=(4, 3))
    assert images.shape == (2, 4, 3)


@pytest.mark.parametrize(
    "corrupt",
    [b"definitely not a png", None],  # junk bytes; a PNG cut off in the middle of its pixels
    ids=["junk", "truncated"],
)
def test_read_images_corrupt_file_is_named(tmp_path, corrupt):
    _save(tmp_path, "a.png", _gradient())
    if corrupt is None:
        noise = np.random.default_rng(0).integers(0, 256, size=(64, 64), dtype=np.uint8)
        _save(tmp_path, "b.png", noise)
        corrupt = (tmp_path / "b.png").read_bytes()[:300]
    (tmp_path / "b.png").write_bytes(corrupt)
    with pytest.raises(InputError, match=r"b\.png"):
        read_images(tmp_path)


def test_read_images_argument_errors(tmp_path):
    with pytest.raises(InputError, match="no PNG or JPEG"):
        read_images(tmp_path)
    with pytest.raises(InputError, match="no such folder"):
        read_images(tmp_path / "missing")
    _save(tmp_path, "a.png", _gradient())
    with pytest.raises(InputError, match="mode"):
        read_images(tmp_path, mode="CMYK")
    with pytest.raises(InputError, match="size"):
        read_images(tmp_path, size=(0, 4))
    with pytest.raises(InputError, match="size"):
        read_images(tmp_path, size=8)


@pytest.mark.parametrize("channels", [None, 3])
def test_write_then_read_images_is_exact(tmp_path, channels):
    X = np.stack([_gradient(channels=channels) + i for i in range(12)])
    paths = write_images(tmp_path / "out", X)
    assert [p.name for p in paths][:3] == ["00.png", "01.png", "02.png"]
    images, names = read_images(tmp_path / "out")
    np.testing.assert_array_equal(images, X)
    assert names == [p.name for p in paths]


def test_write_images_names_and_dtypes(tmp_path):
    X = np.zeros((2, 3, 3, 1), dtype=np.int64)
    paths = write_images(tmp_path, X, names=["x.JPG", "y.v2"])
    assert [p.name for p in paths] == ["x.png", "y.v2.png"]
    assert read_images(tmp_path)[0].shape == (2, 3, 3)


@pytest.mark.parametrize(
    ("X", "names", "message"),
    [
        (np.zeros((2, 3, 3), dtype=np.float32), None, "dtype"),
        (np.full((2, 3, 3), 256), None, "0..255"),
        (np.zeros((3, 3), dtype=np.uint8), None, "shape"),
        (np.zeros((2, 3, 3, 2), dtype=np.uint8), None, "shape"),
        (np.zeros((2, 3, 3), dtype=np.uint8), ["a"], "names has 1"),
        (np.zeros((2, 3, 3), dtype=np.uint8), ["a.png", "a.jpg"], "a.png"),
        (np.zeros((1, 3, 3), dtype=np.uint8), ["../evil"], "plain file name"),
    ],
)
def test_write_images_errors(tmp_path, X, names, message):
    with pytest.raises(InputError, match=message):
        write_images(tmp_path, X, names=names)


# --- npy -----------------------------------------------------------------------------------


def test_read_npy_round_trip(tmp_path):
    X = np.arange(12, dtype=np.int16).reshape(3, 4)
    np.save(tmp_path / "x.npy", X)
    out = read_npy(tmp_path / "x.npy")
    assert out.dtype == np.int16
    np.testing.assert_array_equal(out, X)


def test_read_npy_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_npy(tmp_path / "missing.npy")
    (tmp_path / "junk.npy").write_bytes(b"garbage bytes, not numpy")
    with pytest.raises(InputError, match=r"junk\.npy"):
        read_npy(tmp_path / "junk.npy")
    np.save(tmp_path / "cut.npy", np.arange(1000.0))
    (tmp_path / "cut.npy").write_bytes((tmp_path / "cut.npy").read_bytes()[:200])
    with pytest.raises(InputError, match=r"cut\.npy"):
        read_npy(tmp_path / "cut.npy")
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match=r"objects\.npy"):
        read_npy(tmp_path / "objects.npy")
    np.savez(tmp_path / "archive.npz", a=np.arange(3))
    with pytest.raises(InputError, match="npz"):
        read_npy(tmp_path / "archive.npz")
