"""What a saved model's state pins about the columns it was fitted on, compared at load with
the schema saved beside it.

``model.json`` holds the schema and its SHA-256, but anyone who edits the schema can recompute
that checksum. The weights are the evidence: a family reads from its saved state (never from
the schema) what the state was fitted on, in its classmethod ``_state_columns(config,
arrays)``, and :func:`check_state_columns` refuses a schema that disagrees. A model is thus
never rebuilt on columns its weights were not fitted on, whatever was edited. It is cheap:
shapes and config entries, no network evaluation.

A declaration is a dict with any of these keys (a family gives what its state pins):

* ``"columns"``: one entry per column, in order: a kind (``"continuous"``, ``"integer"``,
  ``"numeric"`` for either, ``"categorical"``), the number of categories of a categorical
  column (an int), or ``[low, high]``, the grid of an integer column;
* ``"numeric"``: how many numeric (continuous or integer) columns;
* ``"categories"``: one entry per categorical column, in order: its number of categories,
  or None where the state does not pin it;
* ``"category_total"``: the number of categories over all categorical columns.

Example:
    >>> from genlab.data.schema import infer_schema
    >>> import pandas as pd
    >>> schema = infer_schema(pd.DataFrame({"x": [0.5, 1.5], "c": ["a", "b"]}))
    >>> check_state_columns({"columns": ["continuous", 2]}, schema, "m/model.json")
    >>> try:
    ...     check_state_columns({"categories": [3]}, schema, "m/model.json")
    ... except ModelFileError as e:
    ...     print(str(e).split(": ", 2)[2][:41])
    categories of column 'c': 2 in the schema
"""

from __future__ import annotations

from typing import Any

from genlab.core.errors import ModelFileError


def schema_columns(schema: Any) -> list[Any]:
    """The ``"columns"`` declaration that matches ``schema`` exactly (kinds, category counts
    and integer grids): what a family whose state is built for one fixed schema declares.

    Example:
        >>> from genlab.data.schema import infer_schema
        >>> import pandas as pd
        >>> schema_columns(infer_schema(pd.DataFrame({"n": [0, 3], "x": [0.5, 1.5]})))
        [[0, 3], 'continuous']
    """
    return [_token(c) for c in schema.columns]


def _token(col: Any) -> Any:
    """A schema column as a ``"columns"`` entry: its category count, its grid, or its kind."""
    if col.kind == "categorical":
        return col.n_categories
    if col.kind == "integer":
        return [int(v) for v in col.levels]
    return col.kind


def check_state_columns(declared: dict[str, Any], schema: Any, where: Any) -> None:
    """ModelFileError naming ``where`` (the config file) and the first column where the
    ``declared`` state (see the module docstring) and ``schema`` disagree."""
    problem = _problem(declared, schema)
    if problem:
        raise ModelFileError(
            f"{where}: the schema does not match the saved weights: {problem}; the columns "
            "a model was fitted on cannot be changed (refit the model on the new columns)"
        )


def _problem(declared: dict[str, Any], schema: Any) -> str | None:
    cols = schema.columns
    if "columns" in declared:
        tokens = list(declared["columns"])
        if len(tokens) != len(cols):
            return _differ("columns", len(cols), len(tokens))
        for col, token in zip(cols, tokens, strict=True):
            if not _agrees(col, token):
                return _differ(f"column {col.name!r} is", _col_text(col), _text(token))
    numeric = [c for c in cols if c.kind != "categorical"]
    if "numeric" in declared and declared["numeric"] != len(numeric):
        return _differ("numeric columns", len(numeric), declared["numeric"])
    categorical = [c for c in cols if c.kind == "categorical"]
    if "categories" in declared:
        sizes = list(declared["categories"])
        if len(sizes) != len(categorical):
            return _differ("categorical columns", len(categorical), len(sizes))
        for col, size in zip(categorical, sizes, strict=True):
            if size is not None and size != col.n_categories:
                return _differ(f"categories of column {col.name!r}", col.n_categories, size)
    total = sum(c.n_categories for c in categorical)
    if "category_total" in declared and declared["category_total"] != total:
        return _differ("categories in all", total, declared["category_total"])
    return None


def _differ(what: str, in_schema: Any, in_weights: Any) -> str:
    if what.endswith(" is"):  # "column 'c' is categorical with 3 categories in the schema, ..."
        return f"{what} {in_schema} in the schema, {in_weights} in the weights"
    return f"{what}: {in_schema} in the schema, {in_weights} in the weights"


def _agrees(col: Any, token: Any) -> bool:
    if isinstance(token, bool):  # JSON booleans are no counts
        return False
    if token == "numeric":
        return col.kind in ("continuous", "integer")
    if isinstance(token, str):  # a kind alone, whatever its grid or categories
        return col.kind == token
    return _token(col) == (list(token) if isinstance(token, tuple) else token)


def _col_text(col: Any) -> str:
    return _text(_token(col))


def _text(token: Any) -> str:
    if isinstance(token, int) and not isinstance(token, bool):
        return f"categorical with {token} categories"
    if isinstance(token, list | tuple):
        return f"integer on {token[0]}..{token[1]}"
    return str(token)
