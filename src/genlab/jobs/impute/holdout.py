"""Entries whose values are known, hidden so that imputers can be scored on filling them.

:func:`holdout_tasks` makes the hold-outs :func:`~genlab.jobs.impute.select.select_imputer`
scores candidates on: without ``fit_data``, a share of the observed numeric entries hidden
completely at random; with it, a share of its rows, each given the missing pattern of a random
row of the data to impute. Scores are in units of each column's standard deviation
(:func:`column_scale`), or in the data's own units for images.

Example:
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> schema, tasks = holdout_tasks(X, None, 0.2, 2, np.random.default_rng(0))
    >>> len(tasks), tasks[0].hidden.shape, bool(np.isnan(tasks[0].holed[tasks[0].hidden]).all())
    (2, (50, 3), True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from genlab.core.errors import InputError
from genlab.data.datasets import Dataset
from genlab.data.masks import apply_mask
from genlab.data.rows import take_rows
from genlab.data.schema import Schema, infer_schema

__all__ = ["HoldoutTask", "column_scale", "holdout_tasks", "numeric_columns"]


def holdout_tasks(
    data: Any, fit_data: Any, holdout: float, n_repeats: int, rng: np.random.Generator
) -> tuple[Schema, list[HoldoutTask]]:
    """The schema and ``n_repeats`` independent hold-outs of ``data`` (or of ``fit_data``'s
    rows, given the missing patterns of ``data``), each from a child stream of ``rng``."""
    # Child streams hide the entries: holes a user drew with the same seed (default_rng(0)
    # is common) must not coincide with the entries hidden here.
    if fit_data is None:
        schema = infer_schema(data)
        return schema, [hide_observed(data, schema, holdout, hide) for hide in rng.spawn(n_repeats)]
    source = fit_data.X if isinstance(fit_data, Dataset) else fit_data
    schema = infer_schema(source)
    return schema, [
        validation_rows(source, data, schema, holdout, hide) for hide in rng.spawn(n_repeats)
    ]


@dataclass(frozen=True)
class HoldoutTask:
    """Known entries hidden for scoring."""

    schema: Schema
    holed: Any  # the rows to fill, with the extra holes, in the user's container
    hidden: np.ndarray  # (N, D) bool: the entries scored
    truth: np.ndarray  # (N, D) encoded true values of those rows
    scale: np.ndarray  # (D,) each column's standard deviation (1 where 0); ones for images
    fit_rows: Any = None  # rows the candidates are fitted on; None: ``holed`` itself


def hide_observed(
    data: Any, schema: Schema, holdout: float, rng: np.random.Generator
) -> HoldoutTask:
    """A share of the observed numeric entries hidden completely at random."""
    A = schema.encode(data)  # (N, D)
    observed = ~np.isnan(A)
    hidden = observed & numeric_columns(schema) & (rng.random(A.shape) < holdout)
    # A row keeps one observed entry (models refuse rows with none): unhide one of its own.
    for i in np.flatnonzero(observed.any(axis=1) & ~(observed & ~hidden).any(axis=1)):
        hidden[i, rng.choice(np.flatnonzero(hidden[i]))] = False
    if not hidden.any():
        raise InputError("no observed numeric entry to hide: the data is too small to score")
    return HoldoutTask(
        schema, apply_mask(data, hidden.reshape(np.shape(data))), hidden, A, column_scale(A, schema)
    )


def validation_rows(
    source: Any, data: Any, schema: Schema, holdout: float, rng: np.random.Generator
) -> HoldoutTask:
    """A share of ``source``'s rows, each given the missing pattern of a random row of X."""
    patterns = np.isnan(infer_schema(data).encode(data))  # (N, D) X's holes
    if patterns.shape[1] != len(schema.columns):
        raise InputError(f"X has {patterns.shape[1]} columns, fit_data {len(schema.columns)}")
    patterns = patterns[patterns.any(axis=1)]
    if not len(patterns):
        raise InputError("X has no missing entry: there is nothing to impute")
    n = len(source)
    n_val = round(holdout * n)
    if n_val < 1 or n_val >= n:
        raise InputError(f"fit_data has {n} rows: too few to hold out {holdout:.0%} of them")
    order = rng.permutation(n)
    val, fit = np.sort(order[:n_val]), np.sort(order[n_val:])
    hidden = patterns[rng.integers(0, len(patterns), size=n_val)] & numeric_columns(schema)
    if not hidden.any():
        raise InputError("X's holes are all in categorical columns: there is nothing to score")
    rows = take_rows(source, val, renumber=True)
    fit_rows = take_rows(source, fit, renumber=True)
    scale = column_scale(schema.encode(fit_rows), schema)
    return HoldoutTask(
        schema,
        apply_mask(rows, hidden.reshape(np.shape(rows))),
        hidden,
        schema.encode(rows),
        scale,
        fit_rows,
    )


def numeric_columns(schema: Schema) -> np.ndarray:
    """``(D,)`` bool: the columns whose entries can be hidden and scored (not categorical)."""
    return np.array([c.kind != "categorical" for c in schema.columns])  # (D,)


def column_scale(A: np.ndarray, schema: Schema) -> np.ndarray:
    """``(D,)`` the unit of each column's error: its standard deviation in ``A`` (N, D), 1
    where that is 0; ones for images, whose pixels share one scale."""
    if schema.container == "image":
        return np.ones(A.shape[1])
    with np.errstate(invalid="ignore"):
        scale = np.nanstd(A, axis=0)  # (D,)
    return np.where(scale > 0, scale, 1.0)
