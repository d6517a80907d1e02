"""Imputation: fill missing entries, draw multiple imputations, pool estimates by Rubin's rules.

A fitted model imputes from its conditional ``p(x_m | x_o)``: :func:`impute` gives one
completed dataset (a draw, or the conditional mean with ``method="mean"``, which minimizes the
expected squared error) or ``M`` independent draws (multiple imputation; they treat the fitted
parameters as known, so on small tables ``bootstrap=B`` refits the model on ``B`` bootstrap
resamples to carry that uncertainty too, see :mod:`genlab.jobs.impute.bootstrap`). ``"mean"``
in place of a model is the baseline the lecture starts from: every hole gets its column's
observed mean (the most frequent value for categorical columns), which ignores every other
column and shrinks the variance of what it fills.

Multiple imputation carries the uncertainty of the missing values into any analysis: run the
analysis on each of the ``M`` completed datasets, then :func:`pool` the ``M`` estimates and
their variances by Rubin's rules (total variance ``T = U + (1 + 1/M) B``, Student-t degrees of
freedom, optionally the Barnard--Rubin small-sample version). :func:`intervals` turns the ``M``
draws into per-entry predictive intervals; :func:`to_long` / :func:`from_long` convert a list
of imputations to and from the long table that ``genlab impute --multiple M`` writes.

Only model methods are called here (DESIGN.md): any family with the ``impute`` capability
works.

References:
    Rubin, D. B. (1987). Multiple Imputation for Nonresponse in Surveys. Wiley.
    Honaker, J., King, G. & Blackwell, M. (2011). Amelia II: a program for missing data.
    Journal of Statistical Software 45(7) (bootstrap EM).
    Barnard, J. & Rubin, D. B. (1999). Small-sample degrees of freedom with multiple
    imputation. Biometrika 86, 948-955.
    van Buuren, S. (2018). Flexible Imputation of Missing Data, 2nd ed., section 2.3.

Example:
    >>> import numpy as np, genlab
    >>> from genlab.jobs.impute import impute, intervals, pool
    >>> X = genlab.load_dataset("wine").X.to_numpy()[:, :4]
    >>> holes = X.copy(); holes[::4, 1] = np.nan
    >>> model = genlab.GaussianMixture(n_components=1).fit(holes)
    >>> draws = impute(model, holes, n_imputations=20, random_state=0)
    >>> stats = [(d[:, 1].mean(), d[:, 1].var(ddof=1) / len(d)) for d in draws]
    >>> pooled = pool(*zip(*stats))
    >>> low, high = pooled.confidence_interval(0.95)
    >>> bool(low < X[:, 1].mean() < high), pooled.n_imputations
    (True, 20)
    >>> box = intervals(draws, level=0.9)
    >>> bool((box.lower <= box.upper).all()), bool((box.lower == X)[~np.isnan(holes)].all())
    (True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from genlab.core.errors import InputError, ModelFileError
from genlab.data.datasets import Dataset
from genlab.data.rows import flatten_rows
from genlab.data.schema import Schema, infer_schema
from genlab.jobs.impute.bootstrap import (
    IMPUTER_FILE,
    Bootstrap,
    bootstrap_impute,
    read_imputer_config,
)

__all__ = [
    "ImputationIntervals",
    "PooledEstimate",
    "bootstrap_impute",
    "from_long",
    "impute",
    "intervals",
    "load_imputer",
    "mean_impute",
    "pool",
    "to_long",
]

#: Name of the column that numbers the imputations in a long table (as the CLI writes it).
IMPUTATION_COLUMN = "imputation"


# ======================================================================= impute
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
    """Fill the missing entries (NaN/None) of ``X`` with a fitted model, or with column means.

    Observed entries come back bit-identical; the container, columns and dtypes are kept.

    Args:
        model: a fitted genlab model with the ``impute`` capability, a fitted
            :class:`~genlab.jobs.impute.bootstrap.Bootstrap` ensemble, a
            :class:`~genlab.jobs.impute.stack.Stack` of them, or the string ``"mean"`` for
            mean imputation (each column's observed mean; integer columns rounded to their
            grid; categorical and boolean columns their most frequent value).
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
    from genlab.jobs.impute.stack import Stack  # here: impute_stack calls impute

    if isinstance(model, Bootstrap) and bootstrap:
        raise InputError(
            f"{model!r} is already a bootstrap ensemble: impute with it as it is (bootstrap=0)"
        )

    if isinstance(model, Stack):
        return model.impute(
            X,
            n_imputations,
            method=method,
            condition=condition,
            random_state=random_state,
            bootstrap=bootstrap,
            fit_data=fit_data,
            n_jobs=n_jobs,
        )
    if bootstrap:
        if condition is not None:
            raise InputError("bootstrap refits are unconditional; drop condition")
        return bootstrap_impute(
            model,
            X,
            n_imputations,
            n_refits=bootstrap,
            method=method,
            random_state=random_state,
            fit_data=fit_data,
            n_jobs=n_jobs,
        )
    if fit_data is not None:
        raise InputError("fit_data is what bootstrap refits resample: give bootstrap=B too")
    return model.impute(
        X,
        n_imputations=n_imputations,
        condition=condition,
        method=method,
        random_state=random_state,
    )


def load_imputer(path: str | Path) -> Any:
    """What ``save(path)`` wrote: a model (:func:`genlab.load_model`), a fitted
    :class:`~genlab.jobs.impute.bootstrap.Bootstrap` or a
    :class:`~genlab.jobs.impute.stack.Stack`; anything :func:`impute` takes.

    Raises:
        ModelFileError: the folder is neither, or a file in it is damaged.

    Example:
        >>> import genlab, tempfile
        >>> from genlab.jobs.impute.bootstrap import Bootstrap
        >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 2.5], [3.0, 3.0]])
        >>> bag = Bootstrap(genlab.GaussianMixture(n_components=1), 2, random_state=0).fit(X)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     same = load_imputer(bag.save(d))
        >>> bool((impute(same, X, method="mean") == impute(bag, X, method="mean")).all())
        True
    """
    from genlab.core.persistence import load_model
    from genlab.jobs.impute.stack import Stack  # here: impute_stack calls impute

    path = Path(path)
    if not (path / IMPUTER_FILE).is_file():
        return load_model(path)
    loaders = {"bootstrap": Bootstrap.load, "stack": Stack.load}
    kind = read_imputer_config(path).get("kind")
    if kind not in loaders:
        raise ModelFileError(f"{path / IMPUTER_FILE}: unknown imputer kind {kind!r}")
    return loaders[kind](path)


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


def _take(data: Any, rows: np.ndarray) -> Any:
    if isinstance(data, pd.DataFrame):
        return data.iloc[rows].reset_index(drop=True)
    return np.asarray(data)[rows]


def _average(completed: list[Any], schema: Schema, weights: Any = None) -> Any:
    """Entrywise (weighted) mean of completed datasets, categorical columns by (weighted)
    majority; entries on which all agree (the observed ones) are kept bit-identical. Integer
    columns are rounded to their grid only where the container cannot hold floats (as a
    model's own ``"mean"`` does). ``weights`` (B,) default to equal."""
    first = completed[0]
    weights = np.full(len(completed), 1.0 / len(completed)) if weights is None else weights
    integer = np.array([c.kind == "integer" for c in schema.columns])  # (D,)
    if not isinstance(first, pd.DataFrame):
        stacked = np.stack([flatten_rows(c) for c in completed])
        integer &= stacked.dtype.kind != "f"
        return _average_values(stacked, integer, weights).reshape(np.shape(first))
    out = first.copy()
    for j, column in enumerate(schema.columns):
        values = [c.iloc[:, j] for c in completed]
        if column.kind == "categorical":
            votes = pd.concat(values, axis=1, ignore_index=True)  # (N, B)
            out.isetitem(j, _vote(votes, weights).astype(first.iloc[:, j].dtype))
        else:
            grid = integer[j] and not pd.api.types.is_float_dtype(first.iloc[:, j])
            stacked = np.stack([v.to_numpy(np.float64) for v in values])  # (B, N)
            mean = _average_values(stacked, grid, weights)
            out.isetitem(j, pd.Series(mean, index=out.index).astype(first.iloc[:, j].dtype))
    return out


def _average_values(stacked: np.ndarray, integer: Any, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over axis 0 of ``stacked`` ``(B, N[, D])``, rounded where ``integer``."""
    mean = np.average(stacked, axis=0, weights=weights)
    mean = np.where(integer, np.rint(mean), mean).astype(stacked.dtype)
    return np.where((stacked == stacked[0]).all(axis=0), stacked[0], mean)


def _vote(votes: pd.DataFrame, weights: np.ndarray) -> pd.Series:
    """Each row's value with the largest total weight among the columns of ``votes`` (N, B);
    ties go to the smallest value, as ``DataFrame.mode`` breaks them."""
    codes, values = pd.factorize(votes.to_numpy().ravel(), sort=True)
    codes = codes.reshape(votes.shape)  # (N, B) indices into values
    tally = np.zeros((len(votes), len(values)))  # (N, V) weight behind each value
    for b, w in enumerate(weights):
        np.add.at(tally, (np.arange(len(votes)), codes[:, b]), w)
    return pd.Series(values[tally.argmax(axis=1)], index=votes.index)


# ======================================================================== pool
@dataclass(frozen=True)
class PooledEstimate:
    """An estimate pooled over ``M`` imputations by Rubin's rules (arrays for vector estimates).

    Attributes:
        estimate: ``Q̄``, the mean of the ``M`` estimates.
        within_variance: ``Ū``, the mean of the ``M`` complete-data variances.
        between_variance: ``B``, the variance of the ``M`` estimates (``ddof=1``).
        total_variance: ``T = Ū + (1 + 1/M) B``.
        df: degrees of freedom of the Student-t reference distribution (``inf`` when the
            imputations agree and no complete-data df was given).
        n_imputations: ``M``.
        level: the confidence level of :attr:`ci`.
    """

    estimate: Any
    within_variance: Any
    between_variance: Any
    total_variance: Any
    df: Any
    n_imputations: int
    level: float = 0.95

    @property
    def std_error(self) -> Any:
        """``sqrt(T)``."""
        return np.sqrt(self.total_variance)

    @property
    def relative_increase(self) -> Any:
        """``r = (1 + 1/M) B / Ū``: the relative increase in variance due to missing data."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return (1 + 1 / self.n_imputations) * self.between_variance / self.within_variance

    @property
    def missing_information(self) -> Any:
        """Fraction of missing information ``(r + 2 / (df + 3)) / (r + 1)`` (van Buuren 2.24)."""
        r = self.relative_increase
        return (r + 2 / (self.df + 3)) / (r + 1)

    @property
    def ci(self) -> tuple[Any, Any]:
        """The confidence interval at :attr:`level`."""
        return self.confidence_interval(self.level)

    def confidence_interval(self, level: float | None = None) -> tuple[Any, Any]:
        """``Q̄ ± t_{df, (1 + level) / 2} sqrt(T)``.

        Example:
            >>> p = pool([1.0, 1.2, 0.8], [0.01, 0.01, 0.01])
            >>> [round(float(v), 3) for v in p.confidence_interval(0.95)]
            [0.169, 1.831]
        """
        level = _check_level(self.level if level is None else level)
        half = stats.t.ppf((1 + level) / 2, self.df) * self.std_error
        return self.estimate - half, self.estimate + half

    def p_value(self, null: float = 0.0) -> Any:
        """Two-sided p-value of ``estimate == null`` under the pooled t distribution."""
        t = (self.estimate - null) / self.std_error
        return 2 * stats.t.sf(np.abs(t), self.df)


def pool(
    estimates: Sequence[Any] | np.ndarray,
    variances: Sequence[Any] | np.ndarray,
    *,
    complete_df: float | None = None,
    level: float = 0.95,
) -> PooledEstimate:
    """Pool ``M`` complete-data estimates and their variances by Rubin's rules.

    With ``λ = (1 + 1/M) B / T`` the share of the total variance due to the missing data,
    the degrees of freedom are Rubin's ``ν = (M - 1) / λ²``; given ``complete_df`` (the df the
    analysis would have without missing data, e.g. ``n - k`` for a regression with ``k``
    coefficients) they are Barnard & Rubin's ``ν_old ν_obs / (ν_old + ν_obs)`` with
    ``ν_obs = (ν_com + 1) / (ν_com + 3) ν_com (1 - λ)``, which never exceeds ``ν_com``.

    Args:
        estimates: ``(M,)`` scalar estimates or ``(M, P)`` vectors, one per imputation.
        variances: the squared standard errors, same shape (pooling is elementwise).
        complete_df: complete-data degrees of freedom, for the Barnard--Rubin df.
        level: confidence level of the :attr:`PooledEstimate.ci`.

    Returns:
        A :class:`PooledEstimate` (scalar fields for scalar estimates).

    Example:
        >>> p = pool([1.0, 1.2, 0.8], [0.01, 0.01, 0.01])
        >>> round(float(p.estimate), 3), round(float(p.total_variance), 4), round(float(p.df), 2)
        (1.0, 0.0633, 2.82)
        >>> round(float(pool([1.0, 1.2, 0.8], [0.01] * 3, complete_df=10).df), 2)
        0.91
    """
    Q = np.asarray(estimates, dtype=np.float64)
    U = np.asarray(variances, dtype=np.float64)
    if Q.ndim not in (1, 2) or Q.shape != U.shape:
        raise InputError(
            f"estimates and variances must both be (M,) or (M, P); got {Q.shape} and {U.shape}"
        )
    m = len(Q)
    if m < 2:
        raise InputError(f"pooling needs at least 2 imputations, got {m}")
    if not (np.isfinite(Q).all() and np.isfinite(U).all() and (U >= 0).all()):
        raise InputError("estimates must be finite and variances finite and non-negative")
    if complete_df is not None and not complete_df > 0:
        raise InputError(f"complete_df must be positive, got {complete_df!r}")
    level = _check_level(level)
    q_bar, u_bar = Q.mean(axis=0), U.mean(axis=0)
    b = Q.var(axis=0, ddof=1)
    t = u_bar + (1 + 1 / m) * b
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(t > 0, (1 + 1 / m) * b / t, 0.0)
        df = np.where(lam > 0, (m - 1) / lam**2, np.inf)  # Rubin (1987)
        if complete_df is not None:
            df_obs = (complete_df + 1) / (complete_df + 3) * complete_df * (1 - lam)
            df = np.where(np.isinf(df), df_obs, df * df_obs / (df + df_obs))
    scalar = Q.ndim == 1

    def out(v: np.ndarray) -> Any:
        return float(v) if scalar else v

    return PooledEstimate(out(q_bar), out(u_bar), out(b), out(t), out(df), m, level)


# =================================================================== intervals
@dataclass(frozen=True)
class ImputationIntervals:
    """Per-entry predictive intervals from ``M`` imputations (empirical quantiles of the draws).

    Each array has the shape of one imputation as a numeric array: ``(N, D)`` for tables,
    ``(N, H, W[, C])`` for images. Entries of non-numeric columns (categories, strings) are NaN.
    Observed entries are the same in every draw, so there ``lower == upper == value``.

    Attributes:
        lower: the ``(1 - level) / 2`` quantile of the draws.
        upper: the ``(1 + level) / 2`` quantile.
        mean: the mean of the draws (a Monte Carlo estimate of the conditional mean).
        level: the nominal coverage.
        n_imputations: ``M``.
        columns: the column names when the draws were DataFrames, else None.
    """

    lower: np.ndarray
    upper: np.ndarray
    mean: np.ndarray
    level: float
    n_imputations: int
    columns: list[str] | None = None

    @property
    def width(self) -> np.ndarray:
        """``upper - lower``."""
        return self.upper - self.lower

    def contains(self, X_true: Any) -> np.ndarray:
        """Boolean array: is each true value inside its interval (ends included)?"""
        values = _numeric(X_true, self.columns).reshape(self.lower.shape)
        return (self.lower <= values) & (values <= self.upper)

    def coverage(self, X_true: Any, mask: Any) -> float:
        """Share of the entries where ``mask`` is True (the holes) whose truth is inside.

        Entries of non-numeric columns are left out.
        """
        mask = np.asarray(mask, dtype=bool).reshape(self.lower.shape)
        counted = mask & ~np.isnan(self.lower)
        if not counted.any():
            raise InputError("mask selects no numeric entry: nothing to cover")
        return float(self.contains(X_true)[counted].mean())


def intervals(draws: Any, level: float = 0.9) -> ImputationIntervals:
    """Per-entry ``level`` predictive intervals from ``M`` multiple imputations.

    The ends are the empirical quantiles at Weibull positions ``(M + 1)(1 -+ level) / 2``
    (interpolated), so that, if the truth were one more draw from the same conditional, it
    would fall inside with probability ``level``. That needs ``M >= 2 / (1 - level) - 1``
    (19 for 90%); below that the interval is the range of the draws and covers less. Draws
    of integer columns tie, so their intervals cover at least ``level`` (ends count as
    inside).

    Args:
        draws: a list of ``M`` completed datasets (what ``impute(..., n_imputations=M)``
            returns), an array ``(M, N, ...)``, or a long table with an ``imputation`` column.
        level: nominal coverage in ``(0, 1)``.

    Returns:
        :class:`ImputationIntervals`.

    Example:
        >>> draws = [np.array([[0.0, m]]) for m in range(19)]  # column 0 observed
        >>> box = intervals(draws, level=0.8)  # 2nd and 18th of the 19 sorted draws
        >>> box.lower.round(6).tolist(), box.upper.round(6).tolist()
        ([[0.0, 1.0]], [[0.0, 17.0]])
    """
    level = _check_level(level)
    if isinstance(draws, pd.DataFrame):
        draws = from_long(draws)
    if isinstance(draws, np.ndarray):
        draws = list(draws)
    if not isinstance(draws, Sequence) or len(draws) < 2:
        raise InputError("intervals need a list of at least 2 imputations")
    columns = list(map(str, draws[0].columns)) if isinstance(draws[0], pd.DataFrame) else None
    stacked = np.stack([_numeric(d, columns) for d in draws])  # (M, N, ...)
    with np.errstate(invalid="ignore"):
        # Weibull positions (M + 1) p: a new draw falls between the order statistics at
        # (M + 1)(1 -+ level) / 2 with probability exactly ``level`` when M + 1 divides evenly
        # (numpy's default positions (M - 1) p + 1 would cover only level (M - 1) / (M + 1)).
        lower, upper = np.quantile(
            stacked, [(1 - level) / 2, (1 + level) / 2], axis=0, method="weibull"
        )
    return ImputationIntervals(lower, upper, stacked.mean(axis=0), level, len(draws), columns)


def _numeric(X: Any, columns: list[str] | None) -> np.ndarray:
    """Numeric values of one dataset as float64; NaN for non-numeric DataFrame columns."""
    if isinstance(X, Dataset):
        X = X.X
    if columns is None:
        try:
            return np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise InputError(f"draws must be numeric arrays or DataFrames: {error}") from None
    if not isinstance(X, pd.DataFrame) or list(map(str, X.columns)) != columns:
        raise InputError(f"expected a DataFrame with columns {columns}")
    out = np.full(X.shape, np.nan)
    for j in range(X.shape[1]):
        column = X.iloc[:, j]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            out[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


# ================================================================== long tables
def to_long(imputations: Sequence[Any], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Stack ``M`` imputations into one table with an ``imputation`` column (0..M-1).

    This is the layout ``genlab impute --multiple M`` writes; arrays and images become one row
    per example (images flattened), named by ``columns`` (default ``"0", "1", ...``).

    Example:
        >>> long = to_long([np.zeros((2, 1)), np.ones((2, 1))])
        >>> long.columns.tolist(), long["imputation"].tolist()
        (['0', 'imputation'], [0, 0, 1, 1])
    """
    frames = []
    for m, X in enumerate(imputations):
        if not isinstance(X, pd.DataFrame):
            flat = flatten_rows(X)
            names = [str(j) for j in range(flat.shape[1])] if columns is None else list(columns)
            X = pd.DataFrame(flat, columns=names)
        if IMPUTATION_COLUMN in X.columns:
            raise InputError(f"the data already has a column named {IMPUTATION_COLUMN!r}")
        frames.append(X.assign(**{IMPUTATION_COLUMN: m}))
    if not frames:
        raise InputError("to_long needs at least one imputation")
    return pd.concat(frames, ignore_index=True)


def from_long(table: pd.DataFrame) -> list[pd.DataFrame]:
    """Split a long table (``imputation`` column) back into its ``M`` completed datasets.

    Rows keep their order within each imputation; the ``imputation`` column is dropped.

    Example:
        >>> long = to_long([np.zeros((2, 1)), np.ones((2, 1))])
        >>> [d["0"].tolist() for d in from_long(long)]
        [[0.0, 0.0], [1.0, 1.0]]
    """
    if not isinstance(table, pd.DataFrame) or IMPUTATION_COLUMN not in table.columns:
        raise InputError(f"a long table is a DataFrame with an {IMPUTATION_COLUMN!r} column")
    groups = table.groupby(IMPUTATION_COLUMN, sort=True)
    sizes = groups.size()
    if sizes.nunique() != 1:
        raise InputError(f"imputations have different numbers of rows: {sizes.to_dict()}")
    return [group.drop(columns=IMPUTATION_COLUMN).reset_index(drop=True) for _, group in groups]


def _check_level(level: float) -> float:
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise InputError(f"level must be a number in (0, 1), got {level!r}")
    return float(level)
