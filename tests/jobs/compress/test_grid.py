"""The coding grids: symbol ranges of discrete columns, stated bins of continuous ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genlab
from genlab.data.schema import infer_schema
from genlab.jobs.compress.grid import (
    bin_edges,
    coded_values,
    continuous_bins,
    grid_sizes,
    symbol_bounds,
    symbol_values,
)


def test_bins_edges_and_values_agree():
    X = pd.DataFrame({"x": [0.123, 0.5, -0.2], "n": [3, 1, 2]})
    schema = infer_schema(X)
    bins = continuous_bins(schema, schema.encode(X), 0.01)
    assert bins == {0: (0.01, -20, 50)}
    lo, hi = symbol_bounds(schema)
    assert lo.tolist() == [0, 1] and hi.tolist() == [0, 3]
    assert grid_sizes(schema, bins).tolist() == [71, 3] and grid_sizes(schema, None)[0] == 0
    edges = bin_edges(bins[0])
    assert len(edges) == 72 and edges[0] == -np.inf and edges[-1] == np.inf
    assert edges[1] == pytest.approx(-0.195)
    symbols = np.array([[32, 2]])  # k = -20 + 32 = 12, value 1 + 2 = 3
    assert symbol_values(symbols, np.array([-20, 1]), bins).tolist() == [[0.12, 3.0]]


def test_values_off_the_grid_are_refused():
    schema = infer_schema(np.array([[0, 3], [2, 1]]))
    with pytest.raises(genlab.InputError, match="off the model's grid"):
        coded_values(schema, np.array([[0, 4]]))
    with pytest.raises(genlab.InputError, match="missing value"):
        coded_values(schema, np.array([[0, np.nan]]))
    with pytest.raises(genlab.InputError, match="has none"):
        continuous_bins(schema, np.zeros((1, 2)), 0.1)
