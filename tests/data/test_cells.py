"""Reading text tables changes no observed value: what is missing, types, separators, refusals."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from genlab.core.errors import InputError
from genlab.data.cells import NA_TOKENS, observed_text, type_columns
from genlab.data.readers import read_cells, read_images, read_npy, read_table
from genlab.data.schema import infer_schema


def _csv(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("token", sorted(NA_TOKENS))
def test_na_tokens_are_values_in_text_columns_and_holes_in_numeric_ones(tmp_path, token):
    table = read_table(_csv(tmp_path, f"region,x\n{token},1.5\nEU,{token}\n,\n"))
    assert table["region"].tolist()[:2] == [token, "EU"] and pd.isna(table["region"][2])
    assert table["x"].dtype == np.float64 and table["x"].isna().tolist() == [False, True, True]


def test_na_values_names_more_holes_in_every_column(tmp_path):
    path = _csv(tmp_path, "region,x\n?,1.5\nEU,-999\n")
    table = read_table(path, na_values=["?", "-999"])
    assert table.isna().to_numpy().tolist() == [[True, False], [False, True]]
    assert read_table(path)["region"].tolist() == ["?", "EU"]


def test_leading_zeros_stay_text_and_integers_stay_integers(tmp_path):
    table = read_table(_csv(tmp_path, "zip,n,m\n02140,51,1\n10001,,2\n"))
    assert table["zip"].tolist() == ["02140", "10001"]
    assert str(table["n"].dtype) == "Int64" and table["n"][0] == 51
    assert table["m"].dtype == np.int64
    schema = infer_schema(table)
    assert [c.kind for c in schema.columns] == ["categorical", "integer", "integer"]
    decoded = schema.decode(schema.encode(table))["n"]
    assert str(decoded.dtype) == "Int64" and decoded[0] == 51 and pd.isna(decoded[1])


def test_wide_integer_column_decodes_on_the_integer_grid(tmp_path):
    rows = "\n".join(str(v) for v in range(0, 100000, 997))
    table = read_table(_csv(tmp_path, "v\n" + rows + "\n\n"))
    schema = infer_schema(table)
    assert schema.columns[0].kind == "continuous"
    decoded = schema.decode(np.array([[37.94], [np.nan]]))
    assert str(decoded["v"].dtype) == "Int64" and decoded["v"][0] == 38


def test_a_stray_string_in_numbers_warns_naming_column_and_cell(tmp_path):
    rows = "\n".join(f"{i}.5" for i in range(30))
    with pytest.warns(UserWarning, match=r"column 'x' .*'oops' in row 30"):
        table = read_table(_csv(tmp_path, f"x\n{rows}\noops\n"))
    assert table["x"].tolist()[-1] == "oops"  # kept as it was: categories, not a hole
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_table(_csv(tmp_path, "x\na\nb\nc\n", "text.csv"))  # plain text: no warning


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_the_separator_is_sniffed(tmp_path, sep):
    table = read_table(_csv(tmp_path, f"a{sep}b{sep}c\n1,5{sep}x{sep}2\n3{sep}y{sep}4\n"))
    assert list(table.columns) == ["a", "b", "c"] or sep == ","
    if sep != ",":
        assert table["a"].tolist() == ["1,5", "3"] and table["c"].tolist() == [2, 4]


@pytest.mark.parametrize(
    "cells, match",
    [
        ("2024-01-05\n2024-02-07", "dates"),
        ("2024-01-05 10:00:00\n2024-02-07 11:30:00", "dates"),
        (f"{2**70}\n1", "beyond 2\\*\\*53"),
    ],
)
def test_types_genlab_cannot_model_are_refused(tmp_path, cells, match):
    with pytest.raises(InputError, match=f"t.csv: column 'c' .*{match}"):
        read_table(_csv(tmp_path, f"c\n{cells}\n"))


def test_duplicate_header_is_refused(tmp_path):
    with pytest.raises(InputError, match="two columns are named 'a'"):
        read_table(_csv(tmp_path, "a,a\n1,2\n"))


def test_observed_text_puts_back_the_cells_as_written(tmp_path):
    path = _csv(tmp_path, "x,y\n3,1e3\n,0.50\n")
    table = read_table(path)
    filled = observed_text(table.fillna({"x": 7}), table, read_cells(path))
    assert filled.astype(str).to_numpy().tolist() == [["3", "1e3"], ["7", "0.50"]]


def test_nested_and_date_parquet_columns_are_refused(tmp_path):
    pd.DataFrame({"a": [[1, 2], [3]]}).to_parquet(tmp_path / "n.parquet")
    with pytest.raises(InputError, match=r"n\.parquet: column 'a' is nested"):
        read_table(tmp_path / "n.parquet")
    pd.DataFrame({"d": pd.to_datetime(["2020-01-01"])}).to_parquet(tmp_path / "d.parquet")
    with pytest.raises(InputError, match="column 'd' holds dates"):
        read_table(tmp_path / "d.parquet")


def test_zero_d_and_string_npy_are_refused(tmp_path):
    np.save(tmp_path / "z.npy", np.float64(3.0))
    with pytest.raises(InputError, match="0-d array"):
        read_npy(tmp_path / "z.npy")


def test_16_bit_images_are_refused_not_squashed(tmp_path):
    pixels = (np.arange(16).reshape(4, 4) * 4000).astype(np.uint16)
    Image.fromarray(pixels).save(tmp_path / "a.png")  # mode I;16
    with pytest.raises(InputError, match=r"a\.png: image mode 'I;16' .* not supported"):
        read_images(tmp_path)


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA"])
def test_8_bit_modes_keep_their_values(tmp_path, mode):
    gray = np.arange(16, dtype=np.uint8).reshape(4, 4) * 17
    Image.fromarray(gray).convert(mode).save(tmp_path / "a.png")
    images, _ = read_images(tmp_path)
    expected = np.asarray(Image.fromarray(gray).convert(mode).convert("L"))
    assert np.array_equal(images if images.ndim == 3 else images[..., 0], expected[None])


def test_a_decompression_bomb_is_an_input_error(tmp_path, monkeypatch):
    Image.fromarray(np.zeros((64, 64), dtype=np.uint8)).save(tmp_path / "a.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 4096 pixels > 2 * 100: a bomb
    with pytest.raises(InputError, match=r"a\.png"):
        read_images(tmp_path)


def test_booleans_are_read_as_booleans_with_tokens_missing():
    frame = pd.DataFrame({"b": ["True", "NA", "false", None], "c": ["True", "False", "x", "y"]})
    typed = type_columns(frame.astype(object))
    assert typed["b"].tolist() == [True, None, False, None]
    assert typed["c"].tolist() == ["True", "False", "x", "y"]  # text with True in it stays text
    complete = type_columns(pd.DataFrame({"b": ["True", "False"]}, dtype=object))["b"]
    assert complete.dtype == bool
