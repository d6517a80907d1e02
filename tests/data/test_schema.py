from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genlab
from genlab.data.schema import Schema, infer_schema


def test_dataframe_round_trip_keeps_types():
    df = genlab.load_dataset("mixed_table").X
    s = infer_schema(df)
    assert [c.kind for c in s.columns] == ["continuous", "integer", "categorical", "categorical"]
    back = s.decode(s.encode(df))
    pd.testing.assert_frame_equal(back, df)
    assert Schema.from_dict(s.to_dict()) == s


def test_overrides_and_integer_grid():
    df = pd.DataFrame({"n": [1, 2, 3, 5], "f": [0.1, 0.2, 0.3, 0.4]})
    s = infer_schema(df, kinds={"n": "categorical"})
    assert s.columns[0].kind == "categorical" and s.columns[0].levels == (1, 2, 3, 5)
    assert infer_schema(df).columns[0].levels == (1, 5)
    with pytest.raises(genlab.InputError, match="unknown column"):
        s.with_overrides({"zz": "continuous"})


def test_images_and_forced_levels():
    s = infer_schema(np.zeros((3, 4, 4), dtype=np.int64), levels=(0, 16))
    assert s.container == "image" and s.image_shape == (4, 4) and s.columns[0].levels == (0, 16)
    assert s.decode(np.full((1, 16), 20.4)).max() == 16  # clipped to the grid
    assert s.encode(np.zeros((2, 16))).shape == (2, 16)  # flat images are accepted
    assert s.encode(np.zeros((0, 4, 4))).shape == (0, 16)  # no images: still 16 columns
    with pytest.raises(genlab.InputError, match="images of shape"):
        s.encode(np.zeros((2, 5, 5)))


def test_missing_values_and_errors():
    df = pd.DataFrame({"a": [1.0, None], "c": ["x", None]})
    s = infer_schema(df)
    A = s.encode(df)
    assert np.isnan(A[1]).all()
    with pytest.raises(genlab.InputError, match="lacks column"):
        s.encode(df[["a"]])
    with pytest.raises(genlab.InputError, match="entirely missing"):
        infer_schema(pd.DataFrame({"a": [None, None]}))
    with pytest.raises(genlab.InputError, match="rectangular"):
        infer_schema([[1, 2], [3]])
