"""Parquet in and out without changing a value or a column's type.

Reading: pandas turns an integer column with nulls into float64, so ``51`` would come back as
``51.0`` and holes would be imputed off the grid (``37.94``). :func:`read_parquet` reads such a
column as a nullable integer column of the file's width (``Int64``, ``Int32``, ``UInt8``...),
as a CSV's whole numbers with blanks are read (``Int64``).

Writing back (the Parquet "put-back" of ``genlab impute``, as a CSV's observed cells are put
back as their text): :func:`keep_parquet_types` gives each column of an output written from a
Parquet input the Arrow type the input had — ``int32`` stays ``int32``, ``string`` stays
``string`` (pandas would write ``large_string``), a dictionary-encoded column stays one with
its index width — wherever every value of the output fits that type.

Example:
    >>> import tempfile
    >>> import pyarrow as pa
    >>> folder = Path(tempfile.mkdtemp())
    >>> pq.write_table(pa.table({"n": pa.array([51, None], pa.int32())}), folder / "in.pq")
    >>> read_parquet(folder / "in.pq")["n"].tolist(), str(read_parquet(folder / "in.pq")["n"].dtype)
    ([51, <NA>], 'Int32')
    >>> pd.DataFrame({"n": [51, 7]}).to_parquet(folder / "out.pq")  # written as int64
    >>> keep_parquet_types(folder / "out.pq", folder / "in.pq")
    >>> str(pq.read_schema(folder / "out.pq").field("n").type)
    'int32'
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["PARQUET_SUFFIXES", "keep_parquet_types", "read_parquet"]

PARQUET_SUFFIXES = (".parquet", ".pq")


def read_parquet(path: str | Path) -> pd.DataFrame:
    """The Parquet file ``path`` as pandas reads it, except that an integer column with nulls
    is a nullable integer column (``Int64``, ``UInt8``...) rather than float64.

    Raises:
        ValueError, OSError: the file is not Parquet (pyarrow's ``ArrowInvalid`` is a
            ValueError).
    """
    arrow = pq.read_table(path)
    frame = arrow.to_pandas()
    for name in frame.columns:
        i = arrow.schema.get_field_index(str(name))  # -1 for a name the file holds twice
        if i < 0 or not pa.types.is_integer(arrow.schema.field(i).type):
            continue
        column = arrow.column(i)
        if column.null_count:
            frame[name] = pd.Series(column.to_pandas(types_mapper=_nullable), index=frame.index)
    return frame


def _nullable(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    """pandas' nullable integer dtype of the same width and sign as ``arrow_type``."""
    if not pa.types.is_integer(arrow_type):
        return None
    sign = "Int" if pa.types.is_signed_integer(arrow_type) else "UInt"
    return pd.api.types.pandas_dtype(f"{sign}{arrow_type.bit_width}")


def keep_parquet_types(written: str | Path, source: str | Path) -> None:
    """Rewrite the Parquet file ``written`` (made from the rows of Parquet file ``source``)
    with each column in the Arrow type it has in ``source``, where all its values fit that
    type (a safe cast; a column whose values do not fit keeps the type they need). Columns
    that ``source`` lacks (e.g. ``imputation``) are left as they are."""
    types = pq.read_schema(source)
    table = pq.read_table(written)
    fields, columns = [], []
    for field, column in zip(table.schema, table.columns, strict=True):
        i = types.get_field_index(field.name)
        if i >= 0 and types.field(i).type != field.type:
            try:
                column = column.cast(types.field(i).type, safe=True)
                field = field.with_type(types.field(i).type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                pass  # e.g. a fraction where the source held integers: keep what was written
        fields.append(field)
        columns.append(column)
    schema = pa.schema(fields, metadata=table.schema.metadata)
    pq.write_table(pa.Table.from_arrays(columns, schema=schema), written)
