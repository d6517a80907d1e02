"""Fill missing entries: :func:`impute` with any imputer, and :func:`mean_impute`, the baseline.

An *imputer* is anything that answers a fitted model's ``impute(X, n_imputations, *, method,
condition, random_state)``: a genlab model with the ``impute`` capability, a fitted
:class:`~genlab.jobs.impute.bootstrap.Bootstrap` ensemble or a
:class:`~genlab.jobs.impute.stack.StackedImputer`. :func:`impute` hands the request to it.
``bootstrap=B`` asks for bootstrap refits: an imputer that holds models refits them itself
(its ``impute_with_refits``, with the same arguments plus ``n_refits``, ``fit_data`` and
``n_jobs``); a model, which knows nothing of refits, is refitted by
:func:`~genlab.jobs.impute.bootstrap.bootstrap_impute`.

``"mean"`` in place of an imputer is the baseline the lecture starts from: every hole gets its
column's observed mean (the most frequent value for categorical columns), which ignores every
other column and shrinks the variance of what it fills.

Example:
    >>> import numpy as np, genlab
    >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 2.5], [3.0, 3.0]])
    >>> impute("mean", X)[1].tolist()
    [1.0, 2.1666666666666665]
    >>> model = genlab.GaussianMixture(n_components=1).fit(X)
    >>> len(impute(model, X, n_imputations=3, random_state=0))
    3
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genlab.core.errors import InputError
from genlab.data.datasets import Dataset
from genlab.data.schema import infer_schema
from genlab.jobs.impute.bootstrap import bootstrap_impute

__all__ = ["impute", "mean_impute"]


def impute(
    model: Any,
    X: Any,
    n_imputations: int = 1,
    *,
    method: str = "sample",
    condition: Any = None,
    random_state: Any = None,
    bootstrap: int = 0,
    fit_data: Any = None,
    n_jobs: int | None = None,
) -> Any:
    """Fill the missing entries (NaN/None) of ``X`` with a fitted imputer, or with column means.

    Observed entries come back bit-identical; the container, columns and dtypes are kept.

    Args:
        model: a fitted genlab model with the ``impute`` capability, a fitted
            :class:`~genlab.jobs.impute.bootstrap.Bootstrap` ensemble, a
            :class:`~genlab.jobs.impute.stack.StackedImputer` of them, or the string
            ``"mean"`` for mean imputation (each column's observed mean; integer columns
            rounded to their grid; categorical and boolean columns their most frequent value).
        X: data with holes: ndarray, DataFrame, image array or :class:`~genlab.Dataset`.
        n_imputations: 1 returns one completed X; ``M > 1`` returns a list of ``M``
            independent draws from ``p(x_m | x_o)`` (multiple imputation, never averaged).
        method: with a model, ``"sample"`` (a draw) or ``"mean"`` (the conditional mean, the
            best single imputation for squared error); ignored for ``"mean"`` imputation.
        condition: class label(s) for a class-conditional model.
        random_state: int, None or ``np.random.Generator``.
        bootstrap: ``B > 0`` refits ``B`` copies of the model (same hyperparameters) on
            bootstrap resamples of the rows of ``X``, holes and all, and shares the ``M``
            draws out among them; ``method="mean"`` averages their ``B`` conditional means
            (bagging). See :func:`~genlab.jobs.impute.bootstrap.bootstrap_impute`; keep a
            fitted ``Bootstrap`` to take means and draws from the same refits. 0 uses the
            fitted model as it is.
        fit_data: with ``bootstrap``, the rows the refits resample when they are not ``X``
            itself: the training data of a model that fills new rows (e.g. complete
            training images, test images with holes).
        n_jobs: processes for the bootstrap refits (joblib; ``-1``: one per CPU).

    Returns:
        The completed X, or a list of ``M`` completed copies.

    Example:
        >>> import numpy as np, pandas as pd
        >>> df = pd.DataFrame({"a": [1.0, np.nan, 3.0], "c": pd.Categorical(["x", None, "x"])})
        >>> impute("mean", df)
             a  c
        0  1.0  x
        1  2.0  x
        2  3.0  x
    """
    if isinstance(model, str):
        if model != "mean":
            raise InputError(f"model must be a fitted genlab model or 'mean', got {model!r}")
        if n_imputations != 1:
            raise InputError(
                "mean imputation gives one completed dataset (all draws would be equal); "
                "use a model for n_imputations > 1"
            )
        return mean_impute(X)
    if not callable(getattr(model, "impute", None)):
        raise InputError(f"model must be a fitted genlab model or 'mean', got {type(model)}")
    request = {"method": method, "condition": condition, "random_state": random_state}
    if not bootstrap:
        if fit_data is not None:
            raise InputError("fit_data is what bootstrap refits resample: give bootstrap=B too")
        return model.impute(X, n_imputations=n_imputations, **request)
    refits = {"n_refits": bootstrap, "fit_data": fit_data, "n_jobs": n_jobs}
    with_refits = getattr(model, "impute_with_refits", None)  # imputers that hold models
    if with_refits is not None:
        return with_refits(X, n_imputations, **request, **refits)
    if condition is not None:
        raise InputError("bootstrap refits are unconditional; drop condition")
    return bootstrap_impute(
        model, X, n_imputations, method=method, random_state=random_state, **refits
    )


def mean_impute(X: Any) -> Any:
    """Mean imputation: each hole gets its column's observed mean (see :func:`impute`).

    Example:
        >>> mean_impute(np.array([[1.0, np.nan], [3.0, 4.0]]))
        array([[1., 4.],
               [3., 4.]])
    """
    if isinstance(X, Dataset):
        X = X.X
    schema = infer_schema(X)
    A = schema.encode(X)  # (N, D)
    missing = np.isnan(A)
    if missing.all(axis=0).any():
        j = int(np.argmax(missing.all(axis=0)))
        raise InputError(f"column {schema.names[j]!r} is entirely missing: it has no mean")
    fill = np.empty(A.shape[1])
    for j, column in enumerate(schema.columns):
        observed = A[~missing[:, j], j]
        if column.kind == "categorical":
            fill[j] = np.bincount(observed.astype(np.int64)).argmax()  # the most frequent
        else:
            fill[j] = observed.mean()  # integer columns are rounded to the grid by decode
    decoded = schema.decode(fill[None, :])  # (1, D) in the user's types
    if isinstance(X, pd.DataFrame):
        out = X.copy()
        for j, name in enumerate(schema.names):
            if missing[:, j].any():
                out[name] = X[name].fillna(decoded[name].iloc[0])
        return out
    values = np.array(X, dtype=np.float64).reshape(A.shape)  # arrays are numeric (the schema)
    flat_fill = np.asarray(decoded, dtype=np.float64).reshape(-1)
    values[missing] = np.broadcast_to(flat_fill, A.shape)[missing]
    return values.reshape(np.shape(X))
