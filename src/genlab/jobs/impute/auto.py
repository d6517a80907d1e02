"""The default imputation route: ``impute(X)``, no model, gets genlab's best imputer in a budget.

genlab's best imputation rows (the ``impute`` benchmark) come from a route with four steps:
the registry's default candidates (:func:`~genlab.jobs.impute.select.default_candidates`),
their hold-out scores (:func:`~genlab.jobs.impute.select.select_imputer`: known entries
hidden and filled, each candidate bagged over bootstrap refits), the stack of them weighted by
that hold-out error, and every member of the stack bagged over bootstrap refits
(:class:`~genlab.jobs.impute.bootstrap.Bootstrap`). :class:`AutoImputer` takes those steps
within a time budget: it times one pilot fit per family, plans how many candidates, hold-outs
and refits fit the budget (:mod:`genlab.jobs.impute.budget`) and then does that much, without
stopping half-way. Its mean and its multiple imputations come from the same fitted refits,
and :attr:`AutoImputer.report_` (an :class:`ImputationReport`) says what was chosen and why.

:func:`impute` is the public entry point. Its first argument decides the route, so that every
call written for a model keeps its meaning:

* ``impute(X)`` (one data argument; also ``impute("auto", X)`` or ``impute(X=X)``): the
  default route, in ``budget`` seconds (default :data:`~genlab.jobs.impute.budget.DEFAULT_BUDGET`).
* ``impute(model, X, ...)`` (a fitted model or imputer, or ``"mean"``, then the data): exactly
  :func:`genlab.jobs.impute.fill.impute`, as always.

Example:
    >>> import numpy as np, genlab
    >>> X = np.random.default_rng(0).normal(size=(60, 3)) @ [[1, 0.8, 0], [0, 0.6, 0], [0, 0, 1]]
    >>> holes = np.where(np.random.default_rng(1).random(X.shape) < 0.2, np.nan, X)
    >>> filled, report = impute(holes, budget=5, random_state=0, n_jobs=1, return_report=True)
    >>> observed = ~np.isnan(holes)
    >>> bool((filled[observed] == holes[observed]).all()), bool(np.isfinite(filled).all())
    (True, True)
    >>> report.choice.units, set(report.choice.scores) == set(report.plan.candidates)
    ('column stds', True)
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genlab.core.checks import check_impute_request
from genlab.core.errors import InputError, NotFittedError
from genlab.data.datasets import Dataset
from genlab.jobs.impute.budget import (
    DEFAULT_BUDGET,
    RoutePlan,
    check_budget,
    estimate_fit_seconds,
    final_refits,
    plan_route,
    scoring_seconds,
    workers,
)
from genlab.jobs.impute.fill import impute as impute_with
from genlab.jobs.impute.select import ImputerChoice, default_candidates, select_imputer
from genlab.jobs.impute.stack import StackedImputer

__all__ = ["AutoImputer", "ImputationReport", "impute", "route_method"]


@dataclass(frozen=True)
class ImputationReport:
    """What the default route did: the plan, the hold-out scores and the refits.

    Attributes:
        plan: the :class:`~genlab.jobs.impute.budget.RoutePlan` the budget allowed.
        choice: the hold-out scores and stacking weights of the candidates scored.
        final_refits: bootstrap refits of each stack member.
        seconds: seconds the route took to choose and fit (filling comes after).
    """

    plan: RoutePlan
    choice: ImputerChoice
    final_refits: int
    seconds: float

    @property
    def members(self) -> dict[str, float]:
        """The stack's members and their weights (the candidates with a positive weight)."""
        return self.choice.members

    def summary(self) -> list[str]:
        """Lines to print: the plan, the scores and weights, the stack that fills."""
        return [
            self.plan.headline(),
            *self.choice.summary(),
            f"Filling with the stack of {len(self.members)}, each bagged over "
            f"{self.final_refits} refits ({self.seconds:.1f} s to choose and fit)",
        ]

    def __str__(self) -> str:
        return "\n".join(self.summary())


class AutoImputer:
    """The default route as an imputer: :meth:`fit` chooses and fits, :meth:`impute` fills.

    :meth:`fit` is :meth:`plan`, :meth:`score` and :meth:`fit_final` in turn; call them one by
    one to show progress between them (``genlab impute DATA`` does).

    Args:
        budget: seconds that choosing and fitting may take (filling comes after). It sets the
            number of hold-outs, scoring refits, final refits and candidates (given up in
            about that order; see :mod:`genlab.jobs.impute.budget`).
        candidates: name -> unfitted model to choose among; default
            :func:`~genlab.jobs.impute.select.default_candidates` for the data.
        random_state: seeds the hidden entries and every refit (an int: the same route,
            bit for bit, as ``select_imputer`` and ``choice.stack`` with that seed).
        n_jobs: processes for the fits (-1: one per CPU; None or 1: this process).
        progress: a progress bar while the candidates are scored.

    Example:
        >>> import numpy as np
        >>> X = np.random.default_rng(0).normal(size=(50, 2)); X[::4, 1] = np.nan
        >>> auto = AutoImputer(budget=3, random_state=0, n_jobs=1).fit(X)
        >>> mean, draws = auto.impute(X, method="mean"), auto.impute(X, 3, random_state=0)
        >>> len(draws), bool(np.isfinite(mean).all()), auto.report_.final_refits >= 2
        (3, True, True)
    """

    def __init__(
        self,
        budget: float = DEFAULT_BUDGET,
        *,
        candidates: Mapping[str, Any] | None = None,
        random_state: Any = None,
        n_jobs: int | None = -1,
        progress: bool = False,
    ) -> None:
        self.budget = budget
        self.candidates = candidates
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress

    def __repr__(self) -> str:
        return f"AutoImputer(budget={self.budget!r})"

    def fit(self, X: Any, fit_data: Any = None) -> AutoImputer:
        """Plan, score the candidates and fit the bagged stack; ``fit_data``: complete rows
        to fit on when they are not ``X`` (e.g. training images for test images)."""
        self.plan(X, fit_data)
        self.score(X, fit_data)
        return self.fit_final(X, fit_data)

    def plan(self, X: Any, fit_data: Any = None) -> RoutePlan:
        """Time a pilot fit per family and plan the route; starts the budget's clock."""
        self._start = time.perf_counter()
        budget = check_budget(self.budget)
        data = X.X if isinstance(X, Dataset) else X
        given = self.candidates
        self.candidates_ = dict(default_candidates(data, fit_data) if given is None else given)
        rows = data if fit_data is None else fit_data
        self.costs_ = estimate_fit_seconds(self.candidates_, rows, self.n_jobs)
        spent = time.perf_counter() - self._start
        self.plan_ = plan_route(self.costs_, budget, n_workers=self._workers(), spent=spent)
        return self.plan_

    def score(self, X: Any, fit_data: Any = None) -> ImputerChoice:
        """The planned candidates' hold-out scores and stacking weights."""
        plan = self._done("plan_", "plan")
        start = time.perf_counter()
        self.choice_ = select_imputer(
            {name: self.candidates_[name] for name in plan.candidates},
            X,
            n_repeats=plan.n_repeats,
            bootstrap=plan.select_refits,
            fit_data=fit_data,
            random_state=self.random_state,
            progress=self.progress,
            stack=True,
            n_jobs=self.n_jobs,
        )
        # How this machine's fits compare with the pilot's estimate, to size the final refits
        # by (the estimate of a candidate's cost from its family's pilot is rough).
        costs = [self.costs_[name] for name in plan.candidates]
        estimate = scoring_seconds(costs, plan.n_repeats, plan.select_refits, self._workers())
        self.pace_ = float(np.clip((time.perf_counter() - start) / estimate, 0.25, 4.0))
        return self.choice_

    def fit_final(self, X: Any, fit_data: Any = None) -> AutoImputer:
        """Fit the stack, every member bagged over the refits the budget has left for."""
        choice = self._done("choice_", "score")
        left = check_budget(self.budget) - (time.perf_counter() - self._start)
        member_seconds = self.pace_ * sum(self.costs_[name] for name in choice.members)
        refits = final_refits(member_seconds, left, self._workers())
        stack = choice.stack(
            self.candidates_, bootstrap=refits, random_state=self.random_state, n_jobs=self.n_jobs
        )
        self.imputer_ = stack.fit(X if fit_data is None else fit_data)
        seconds = time.perf_counter() - self._start
        self.report_ = ImputationReport(self.plan_, choice, refits, seconds)
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
        """Fill ``X`` with the fitted stack (arguments as a model's ``impute``)."""
        imputer = self._done("imputer_", "fit")
        return imputer.impute(
            X, n_imputations, method=method, condition=condition, random_state=random_state
        )

    def impute_with_refits(self, X: Any, n_imputations: int = 1, **request: Any) -> Any:
        """Refuses: the route sizes its own refits (what ``impute(auto, X, bootstrap=B)``
        asks for)."""
        raise InputError("the default route is bagged already: impute with it as it is")

    @property
    def schema_(self) -> Any:
        """The fitted stack's schema."""
        return self._done("imputer_", "fit").schema_

    def save(self, path: str | Path) -> Path:
        """Save the fitted stack (a :class:`~genlab.jobs.impute.stack.StackedImputer` of
        bootstrap ensembles) to folder ``path``; ``load_imputer(path)`` reads it back."""
        imputer: StackedImputer = self._done("imputer_", "fit")
        return imputer.save(path)

    def _workers(self) -> int:
        return workers(self.n_jobs)

    def _done(self, attribute: str, step: str) -> Any:
        if not hasattr(self, attribute):
            raise NotFittedError(f"this AutoImputer has no {attribute}: call .{step}(X) first")
        return getattr(self, attribute)


def impute(
    model: Any = "auto",
    X: Any = None,
    n_imputations: int = 1,
    *,
    method: str | None = None,
    condition: Any = None,
    random_state: Any = None,
    bootstrap: int = 0,
    fit_data: Any = None,
    n_jobs: int | None = None,
    budget: float | None = None,
    return_report: bool = False,
    progress: bool = False,
) -> Any:
    """Fill the missing entries of ``X``: with genlab's default route, or with a given imputer.

    One data argument, ``impute(X)`` (or ``impute("auto", X)``), runs the default route (the
    module docstring): the default candidates scored on hidden entries, stacked by hold-out
    error and bagged, within ``budget`` seconds. A model, imputer or ``"mean"`` followed by
    the data, ``impute(model, X, ...)``, is :func:`genlab.jobs.impute.fill.impute`
    unchanged. The data is never mistaken for a model: a first argument with no ``impute``
    method is data only when no second one is given.

    Args:
        model: ``"auto"`` (default), a fitted model or imputer, ``"mean"``, or the data.
        X: the data with holes (NaN/None): array, DataFrame, image array or Dataset.
        n_imputations: 1 gives one completed X; ``M > 1`` a list of ``M`` draws (the default
            route's come from the same bagged stack that gives its mean).
        method: ``"sample"`` or ``"mean"``. Default: ``"sample"`` with a model (as always);
            with the default route the conditional mean for one imputation (the least squared
            error) and draws for ``M > 1``.
        condition: class label(s) for a class-conditional model (not the default route).
        random_state: int, None or ``np.random.Generator``.
        bootstrap: with a model, ``B`` bootstrap refits (the default route sizes its own).
        fit_data: complete rows to fit on when they are not ``X`` (e.g. training images).
        n_jobs: processes for refits; the default route uses every CPU unless told.
        budget: the default route's seconds to choose and fit (default 120): it sets how many
            candidates, hold-outs and refits it uses (:mod:`genlab.jobs.impute.budget`).
        return_report: the default route also returns its :class:`ImputationReport`.
        progress: the default route shows a progress bar while it scores candidates.

    Returns:
        The completed X or a list of ``M``; with ``return_report``, ``(that, report)``.
        Observed entries come back bit-identical.

    Example:
        >>> import numpy as np, genlab
        >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 2.5], [3.0, 3.0]])
        >>> impute("mean", X)[1].tolist()
        [1.0, 2.1666666666666665]
        >>> impute(X, 3, budget=5)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        genlab.core.errors.InputError: impute got data twice ...
    """
    model, X = _model_and_data(model, X)
    if not (isinstance(model, str) and model == "auto"):
        if budget is not None or return_report:
            raise InputError(
                "budget and return_report belong to the default route: call impute(X) "
                "without a model"
            )
        return impute_with(
            model,
            X,
            n_imputations,
            method=method or "sample",
            condition=condition,
            random_state=random_state,
            bootstrap=bootstrap,
            fit_data=fit_data,
            n_jobs=n_jobs,
        )
    _check_route(bootstrap, condition)
    how = route_method(method, n_imputations)
    auto = AutoImputer(
        DEFAULT_BUDGET if budget is None else budget,
        random_state=random_state,
        n_jobs=-1 if n_jobs is None else n_jobs,
        progress=progress,
    ).fit(X, fit_data)
    filled = auto.impute(X, n_imputations, method=how, random_state=random_state)
    return (filled, auto.report_) if return_report else filled


def route_method(method: str | None, n_imputations: int) -> str:
    """The default route's fill for ``method`` (None: the conditional mean for one
    imputation, the least squared error, and draws for more), checked with the request."""
    how = method or ("mean" if n_imputations == 1 else "sample")
    check_impute_request(n_imputations, how)
    return how


def _model_and_data(model: Any, X: Any) -> tuple[Any, Any]:
    """``(model, X)`` as :func:`impute` reads its first two arguments: with one, it is the
    data of the default route; InputError for a model without data, or data given twice (a
    first argument of any other type is left to :func:`~genlab.jobs.impute.fill.impute`'s
    own check)."""
    is_imputer = isinstance(model, str) or callable(getattr(model, "impute", None))
    if X is not None:
        if isinstance(model, np.ndarray | pd.DataFrame | pd.Series | Dataset | list):
            raise InputError(
                f"impute got data twice ({type(model).__name__}, then {type(X).__name__}): "
                "impute(X) fills X by the default route (n_imputations and the rest by "
                "keyword), impute(model, X) with a fitted model, 'mean' or 'auto'"
            )
        return model, X
    if isinstance(model, str) and model == "auto":
        raise InputError("impute needs the data to fill: impute(X)")
    if is_imputer:
        raise InputError(f"impute({model!r}) needs the data to fill: impute(model, X)")
    return "auto", model


def _check_route(bootstrap: Any, condition: Any) -> None:
    """InputError for what the default route does not take."""
    if bootstrap:
        raise InputError(
            "the default route sizes its own bootstrap refits to the budget: drop bootstrap "
            "(or give a model: impute(model, X, bootstrap=B))"
        )
    if condition is not None:
        raise InputError(
            "the default route is unconditional: drop condition (or give a class-conditional "
            "model: impute(model, X, condition=...))"
        )
