"""Bootstrap ensembles: a model refitted on bootstrap resamples, fitted once, imputing many times.

Draws from one fitted model, ``p(x_m | x_o, θ̂)``, treat its parameters as known, so on small
tables their intervals are too narrow (Rubin calls such imputations improper). As in Amelia II
(Honaker, King & Blackwell, 2011), a :class:`Bootstrap` fits ``B`` copies of a model to
bootstrap resamples of the rows (with their holes, so the family must fit with missing values,
or complete training rows), and imputation ``m`` is drawn by copy ``m % B``: the spread of the
copies stands in for the posterior of ``θ``. With ``method="mean"`` the copies' conditional
means are averaged (numeric entries; categorical ones by weighted majority): bagging, which
helps mixtures most because one fit's component posteriors given ``x_o`` are overconfident
(the ``impute`` benchmark suite's best rows are bagged mixtures).

The fitted ensemble is kept, so the conditional mean and the multiple imputations come from
the same refits, it fills new rows without refitting, and it saves to a folder
(:meth:`Bootstrap.save`, read back by :func:`genlab.jobs.impute.load_imputer`).
:func:`bootstrap_impute` is the one-call form (fit, impute, discard).

Refits and imputations run in joblib processes with ``n_jobs``; each copy draws its resample
from its own child stream of ``random_state`` and its imputations from its own child stream
of the ``impute`` call's ``random_state``, so no result depends on ``n_jobs``. Warnings raised
in the copies come back and are summarized once ("... (5x over 10 bootstrap refits)").

Reference:
    Honaker, J., King, G. & Blackwell, M. (2011). Amelia II: a program for missing data.
    Journal of Statistical Software 45(7).

Example:
    >>> import numpy as np, genlab
    >>> X = np.random.default_rng(0).normal(size=(40, 2)); X[::3, 1] = np.nan
    >>> bag = Bootstrap(genlab.GaussianMixture(n_components=1), 4, random_state=0).fit(X)
    >>> mean = bag.impute(X, method="mean")               # the 4 copies' conditional means
    >>> draws = bag.impute(X, 8, random_state=0)          # draw m by copy m % 4, no refit
    >>> len(draws), bool(np.isfinite(mean).all()), bool((mean[1] == X[1]).all())
    (8, True, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone

from genlab.core.checks import check_impute_request, check_not_a_class
from genlab.core.errors import (
    InputError,
    ModelFileError,
    NotFittedError,
    recording_warnings,
    summarize_warnings,
)
from genlab.core.persistence import load_model
from genlab.data.datasets import Dataset
from genlab.data.rows import take_rows
from genlab.data.schema import Schema, infer_schema
from genlab.jobs.impute.average import average_completed
from genlab.jobs.impute.files import (
    IMPUTER_FILE,
    imputer_kind,
    member_folder,
    read_imputer_config,
    write_imputer_config,
)

__all__ = ["Bootstrap", "bootstrap_impute", "parallel"]

_KIND = "bootstrap"  # what imputer.json records
_REFITS = "bootstrap refits"  # what summarized warnings count over


@imputer_kind(_KIND)
class Bootstrap(BaseEstimator):
    """``n_refits`` copies of ``model`` fitted to bootstrap resamples (see the module docstring).

    Args:
        model: a genlab model, fitted or not: only its hyperparameters and, once fitted, its
            schema (so that a resample that misses a category still knows it) are used.
        n_refits: copies ``B``.
        random_state: int, None or ``np.random.Generator``: the resamples.
        n_jobs: processes that fit and impute with the copies (joblib; ``-1``: one per CPU;
            None or 1: in this process).

    Attributes:
        models_: the ``B`` fitted copies.
        schema_: the schema they share.
    """

    def __init__(
        self, model: Any, n_refits: int = 10, *, random_state: Any = None, n_jobs: int | None = None
    ) -> None:
        self.model = model
        self.n_refits = n_refits
        self.random_state = random_state
        self.n_jobs = n_jobs

    def __repr__(self) -> str:
        return f"Bootstrap({self.model!r}, n_refits={self.n_refits})"

    def fit(self, X: Any, y: Any = None) -> Bootstrap:
        """Fit the copies, each to a resample (with replacement) of the rows of ``X``.

        Args:
            X: the rows to resample: the table with its holes (the family must fit with
                missing values), or complete training rows of a model that fills new ones.
            y: not used (class-conditional refits are not supported).
        """
        n_refits = _check_refits(self.n_refits)
        if y is not None:
            raise InputError("bootstrap refits are unconditional; fit without y")
        check_not_a_class(self.model)
        if not callable(getattr(self.model, "impute", None)):
            raise InputError(f"Bootstrap needs a genlab model, got {type(self.model)}")
        source = X.X if isinstance(X, Dataset) else X
        if len(source) == 0:
            raise InputError("bootstrap refits need at least one row to resample")
        model = self.model
        schema = model.schema_ if hasattr(model, "schema_") else infer_schema(source)
        schema.encode(source)  # the rows' own faults (columns, types) before any resample
        streams = np.random.default_rng(self.random_state).spawn(n_refits)
        done = parallel(self.n_jobs)(
            delayed(recording_warnings)(_refit, model, source, schema, stream) for stream in streams
        )
        summarize_warnings([w for _, caught in done for w in caught], n_refits, _REFITS)
        self.models_ = [copy for copy, _ in done]
        self.schema_ = schema
        return self

    def impute(
        self,
        X: Any,
        n_imputations: int = 1,
        *,
        method: str = "sample",
        condition: Any = None,
        random_state: Any = None,
    ) -> Any:
        """Fill ``X``'s holes: ``"mean"`` averages the copies' conditional means; draws
        (``n_imputations=M``) are made by copy ``m % B`` (arguments as a model's ``impute``;
        ``condition`` must be None: the refits are unconditional).
        """
        models = self._fitted()
        check_impute_request(n_imputations, method)
        if condition is not None:
            raise InputError("bootstrap refits are unconditional; drop condition")
        data = X.X if isinstance(X, Dataset) else X
        n_copies = len(models)
        streams = np.random.default_rng(random_state).spawn(n_copies)
        # "mean": one conditional mean per copy; draws: copy b makes the m with m % B == b
        sizes = [
            1 if method == "mean" else len(range(b, n_imputations, n_copies))
            for b in range(n_copies)
        ]
        busy = [b for b in range(n_copies) if sizes[b]]
        done = parallel(self.n_jobs)(
            delayed(recording_warnings)(_impute_copy, models[b], data, sizes[b], method, streams[b])
            for b in busy
        )
        summarize_warnings([w for _, caught in done for w in caught], n_copies, _REFITS)
        outputs = dict(zip(busy, (got for got, _ in done), strict=True))
        if method == "mean":
            return average_completed([outputs[b][0] for b in busy], self.schema_)
        draws = [outputs[m % n_copies][m // n_copies] for m in range(n_imputations)]
        return draws[0] if n_imputations == 1 else draws

    def impute_with_refits(
        self,
        X: Any,
        n_imputations: int = 1,
        *,
        n_refits: int,
        method: str = "sample",
        condition: Any = None,
        random_state: Any = None,
        fit_data: Any = None,
        n_jobs: int | None = None,
    ) -> Any:
        """Refuses: the copies are bootstrap refits already (what ``impute(bag, X,
        bootstrap=B)`` asks for); impute with the ensemble as it is."""
        raise InputError(
            f"{self!r} is already a bootstrap ensemble: impute with it as it is (bootstrap=0)"
        )

    def save(self, path: str | Path) -> Path:
        """Write the fitted copies to folder ``path``: ``imputer.json`` and one model folder
        per copy (``refit-000``, ...); :func:`genlab.jobs.impute.load_imputer` reads it."""
        models = self._fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        folders = [f"refit-{b:03d}" for b in range(len(models))]
        for copy, folder in zip(models, folders, strict=True):
            copy.save(path / folder)
        write_imputer_config(path, _KIND, {"refits": folders})
        return path

    @classmethod
    def load(cls, path: str | Path) -> Bootstrap:
        """The :class:`Bootstrap` saved in folder ``path`` (see :meth:`save`)."""
        path = Path(path)
        config = read_imputer_config(path, _KIND)
        folders = config.get("refits")
        if not isinstance(folders, list) or not folders:
            raise ModelFileError(f"{path / IMPUTER_FILE} is damaged: no refits listed")
        models = [load_model(member_folder(path, folder)) for folder in folders]
        bag = cls(clone(models[0]), len(models))
        bag.models_, bag.schema_ = models, models[0].schema_
        return bag

    def _fitted(self) -> list[Any]:
        if not hasattr(self, "models_"):
            raise NotFittedError("this Bootstrap is not fitted yet: call .fit(X) first")
        return self.models_


def bootstrap_impute(
    model: Any,
    X: Any,
    n_imputations: int = 1,
    *,
    n_refits: int = 10,
    method: str = "sample",
    random_state: Any = None,
    fit_data: Any = None,
    n_jobs: int | None = None,
) -> Any:
    """Refit ``model`` on bootstrap resamples and impute ``X`` with the copies, in one call.

    ``Bootstrap(model, n_refits).fit(fit_data or X).impute(X, ...)``, except that draws fit only
    ``min(n_refits, n_imputations)`` copies (the others would make none); keep a
    :class:`Bootstrap` instead to take the mean and the draws from the same refits.

    Args:
        model: a genlab model (fitted or not) whose family fits with missing values, or any
            genlab model when ``fit_data`` holds complete rows.
        X: data with holes (not conditional: labels are not resampled).
        n_imputations: ``M``.
        n_refits: bootstrap copies ``B``.
        method: ``"sample"`` or ``"mean"``.
        random_state: int, None or ``np.random.Generator`` (resamples and draws).
        fit_data: the rows to resample when they are not ``X`` (default ``X``, holes and
            all): e.g. the complete training images of a model that fills test images.
        n_jobs: processes for the refits (see :class:`Bootstrap`).

    Returns:
        The completed X, or a list of ``M`` completed copies.

    Example:
        >>> import numpy as np, genlab
        >>> X = np.random.default_rng(0).normal(size=(40, 2)); X[::3, 1] = np.nan
        >>> model = genlab.GaussianMixture(n_components=1)
        >>> draws = bootstrap_impute(model, X, 4, n_refits=2, random_state=0)
        >>> len(draws), bool(np.isfinite(draws[3]).all())
        (4, True)
    """
    n_refits = _check_refits(n_refits)
    check_impute_request(n_imputations, method)
    fit_stream, draw_stream = np.random.default_rng(random_state).spawn(2)
    n_copies = n_refits if method == "mean" else min(n_refits, n_imputations)
    bag = Bootstrap(model, n_copies, random_state=fit_stream, n_jobs=n_jobs)
    bag.fit(X if fit_data is None else fit_data)
    return bag.impute(X, n_imputations, method=method, random_state=draw_stream)


def parallel(n_jobs: Any, **options: Any) -> Parallel:
    """``joblib.Parallel`` over ``n_jobs`` processes (None or 1: in this process; -1: one per
    CPU), after checking ``n_jobs`` (joblib's own error for 0 names no genlab argument)."""
    valid = isinstance(n_jobs, int | np.integer) and not isinstance(n_jobs, bool) and n_jobs != 0
    if n_jobs is not None and not valid:
        raise InputError(f"n_jobs must be a nonzero integer (-1: every CPU) or None: {n_jobs!r}")
    return Parallel(n_jobs=n_jobs, **options)


def _check_refits(n_refits: Any) -> int:
    """``n_refits`` as an int, if it is a positive integer (InputError otherwise)."""
    if isinstance(n_refits, bool) or not isinstance(n_refits, int | np.integer) or n_refits < 1:
        raise InputError(f"bootstrap needs a positive number of refits, got {n_refits!r}")
    return int(n_refits)


def _refit(model: Any, source: Any, schema: Schema, rng: np.random.Generator) -> Any:
    """A copy of ``model``'s settings fitted on a resample (with replacement) of ``source``."""
    rows = rng.integers(0, len(source), size=len(source))  # (N,) with replacement
    resample = take_rows(source, rows, renumber=True)
    try:
        return clone(model).fit(Dataset("bootstrap", resample, None, schema))
    except InputError as e:  # the rows themselves fit, so name the resample as the cause
        raise InputError(
            f"a bootstrap resample of the {len(source)} rows cannot be fitted ({e}); "
            "with so few rows, impute without bootstrap refits"
        ) from e


def _impute_copy(copy: Any, data: Any, n_draws: int, method: str, rng: Any) -> list[Any]:
    """``n_draws`` imputations of ``data`` by one fitted copy, as a list."""
    got = copy.impute(data, n_imputations=n_draws, method=method, random_state=rng)
    return got if n_draws > 1 else [got]
