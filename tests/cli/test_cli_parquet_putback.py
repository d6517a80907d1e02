"""``genlab impute`` on a Parquet file: every observed cell comes back with its value and its
column's Arrow type (integers stay integers, 'NA' and '02140' stay text), only holes change."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from genlab.cli import run

N = 60


def _column(values: list, arrow_type: pa.DataType, holes: tuple[int, ...] = ()) -> pa.Array:
    return pa.array([None if i in holes else v for i, v in enumerate(values)], arrow_type)


@pytest.fixture
def holes_parquet(tmp_path):
    rng = np.random.default_rng(0)
    table = pa.table(
        {
            "count": _column(rng.integers(0, 50, N).tolist(), pa.int64()),
            "age": _column(rng.integers(18, 80, N).tolist(), pa.int64(), (3, 7)),
            "small": _column(rng.integers(0, 9, N).tolist(), pa.int32(), (11,)),
            "region": _column(rng.choice(["NA", "EU", "AS"], N).tolist(), pa.string(), (5, 9)),
            "zip": _column(rng.choice(["02140", "10001", "00501"], N).tolist(), pa.string(), (2,)),
            "income": _column(rng.normal(50, 10, N).tolist(), pa.float64(), (4, 8)),
            "ratio": _column(rng.random(N).astype(np.float32).tolist(), pa.float32(), (12,)),
            "owner": _column((rng.random(N) < 0.5).tolist(), pa.bool_(), (6,)),
        }
    )
    path = tmp_path / "holes.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("method", ["sample", "mean"])
def test_parquet_impute_keeps_observed_cells_and_types(holes_parquet, tmp_path, method):
    model, out = tmp_path / "m", tmp_path / "filled.parquet"
    assert run("fit", "gmm", str(holes_parquet), "-o", str(model), "-q") == 0
    code = run("impute", str(model), str(holes_parquet), "-o", str(out), "--method", method, "-q")
    assert code == 0
    before, after = pq.read_table(holes_parquet), pq.read_table(out)
    assert after.schema.names == before.schema.names
    for name in before.schema.names:
        assert after.schema.field(name).type == before.schema.field(name).type, name
        old, new = before.column(name).to_pylist(), after.column(name).to_pylist()
        assert all(a == b for a, b in zip(old, new, strict=True) if a is not None), name
        assert None not in new, name  # every hole filled
    ages = after.column("age").to_pylist()
    assert all(isinstance(v, int) and 18 <= v <= 79 for v in ages)  # on the integer grid
    assert set(after.column("region").to_pylist()) <= {"NA", "EU", "AS"}
    assert "NA" in before.column("region").to_pylist()
