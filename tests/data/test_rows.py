from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genlab
from genlab import InputError
from genlab.data.rows import split_rows, take_rows


def test_take_rows_from_every_container():
    frame = pd.DataFrame({"a": [1, 2, 3]}, index=[10, 11, 12])
    assert take_rows(frame, np.array([2])).index.tolist() == [12]
    assert take_rows(frame, np.array([2]), renumber=True).index.tolist() == [0]
    assert take_rows([[1], [2]], np.array([1])).tolist() == [[2]]
    ds = genlab.load_dataset("iris")
    assert len(take_rows(ds, np.arange(5)).X) == 5


def test_split_rows_is_seeded_and_disjoint():
    X, y = np.arange(20).reshape(10, 2), np.arange(10)
    (a, ya), (b, yb) = split_rows(X, y, 0.3, seed=0)
    (a2, _), _ = split_rows(X, y, 0.3, seed=0)
    assert len(b) == 3 and np.array_equal(a, a2)
    assert sorted(np.r_[ya, yb].tolist()) == list(range(10))
    with pytest.raises(InputError, match="at least 5 rows"):
        split_rows(X[:3], None, 0.3, seed=0)
