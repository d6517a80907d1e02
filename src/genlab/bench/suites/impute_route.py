"""The ``impute`` suite's targets, and its rows of genlab's default route (``genlab.impute(X)``).

:func:`with_ratios` notes every genlab row's RMSE ratio to the best scikit-learn baseline of its
case (target: at most :data:`TARGET_RATIO`).

The route (:class:`genlab.jobs.impute.AutoImputer`) is what a user gets who names no model:
it plans within its time budget (:data:`BUDGET`, the default one; :data:`QUICK_BUDGET` in
quick mode), scores the default candidates on hidden entries, stacks and bags them. Its
row's note says the plan, and :func:`with_route_gaps` notes its RMSE's ratio to the best
other genlab row of its case: the issue's target is at most :data:`TARGET_GAP` (within 2%)
on every table case. The plan depends on how fast the machine fits at the time (a pilot fit
is timed), so on a slower or busier machine the route does less within the same budget.

Example:
    >>> route_method(quick=False)
    'genlab.impute default route (budget=120)'
"""

from __future__ import annotations

import time
from typing import Any

from genlab.bench.rows import Row
from genlab.jobs.impute import DEFAULT_BUDGET, AutoImputer

__all__ = [
    "BUDGET",
    "QUICK_BUDGET",
    "TARGET_GAP",
    "TARGET_RATIO",
    "fit_route",
    "route_method",
    "with_ratios",
    "with_route_gaps",
]

BUDGET = DEFAULT_BUDGET  # what `genlab impute DATA` and `genlab.impute(X)` take
QUICK_BUDGET = 5.0
TARGET_GAP = 1.02  # the route's RMSE / the best other genlab row's, at most
TARGET_RATIO = 0.9  # genlab's best RMSE / the best baseline's, at most (issue 4)


def route_method(quick: bool = False) -> str:
    """The route's method name in the rows, with its budget."""
    return f"genlab.impute default route (budget={QUICK_BUDGET if quick else BUDGET:g})"


def fit_route(
    X_holes: Any, fit_data: Any = None, quick: bool = False, n_jobs: int | None = -1
) -> tuple[AutoImputer, float, str]:
    """The fitted route, its seconds (plan, scores, final refits) and a note of its plan."""
    auto = AutoImputer(QUICK_BUDGET if quick else BUDGET, random_state=0, n_jobs=n_jobs)
    start = time.perf_counter()
    auto.fit(X_holes, fit_data)
    seconds = time.perf_counter() - start
    report = auto.report_
    weights = ", ".join(f"{name}: {w:.2f}" for name, w in report.members.items())
    note = (
        f"plan: {report.plan.describe()}; hold-out RMSE in {report.choice.units} "
        f"{report.choice.stacked_score:.3f}; weights {weights}"
    )
    return auto, seconds, note


def with_route_gaps(rows: list[Row]) -> list[Row]:
    """Note on every route ``rmse`` row its ratio to the best other genlab row of its case."""
    for row in rows:
        if row.metric != "rmse" or not row.method.startswith("genlab.impute default route"):
            continue
        others = [
            r
            for r in _rmse_rows(rows, row.dataset)
            if r.method.startswith("genlab") and r is not row
        ]
        if others:
            _note_ratio(
                row, min(others, key=lambda r: r.value), TARGET_GAP, "the best other genlab row"
            )
    return rows


def with_ratios(rows: list[Row]) -> list[Row]:
    """Note on every genlab ``rmse`` row its ratio to the best baseline of its case."""
    for row in rows:
        if row.metric != "rmse" or not row.method.startswith("genlab"):
            continue
        baselines = [r for r in _rmse_rows(rows, row.dataset) if r.method.startswith("sklearn")]
        _note_ratio(row, min(baselines, key=lambda r: r.value), TARGET_RATIO, "best baseline")
    return rows


def _rmse_rows(rows: list[Row], dataset: str) -> list[Row]:
    return [r for r in rows if r.dataset == dataset and r.metric == "rmse"]


def _note_ratio(row: Row, best: Row, target: float, versus: str) -> None:
    """Add ``row.value / best.value`` and whether it meets ``target`` to ``row``'s note."""
    ratio = row.value / best.value
    verdict = "meets" if ratio <= target else "misses"
    row.note = f"{row.note}; {ratio:.3f}x {versus} ({best.method}), {verdict} target <= {target}x"
