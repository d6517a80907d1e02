"""How much of the default imputation route fits a time budget: a plan made before the work.

The default route (:mod:`genlab.jobs.impute.auto`) scores candidates on ``n_repeats``
hold-outs, each candidate bagged over ``select_refits`` bootstrap refits, stacks them by that
hold-out error, and bags every stack member over ``final_refits`` refits. At its fullest
(:data:`FULL`: every default candidate, 2 hold-outs x 10 scoring refits, 50 final refits) it
is the route behind genlab's best rows of the ``impute`` benchmark. Its cost is fits, so the
plan is made from what one fit of each candidate costs (:func:`estimate_fit_seconds`: one
timed pilot fit per family), before any of the work: :func:`plan_route` takes the richest
step of :data:`LADDER` whose estimated seconds fit the budget. The ladder gives up first
what costs the least RMSE for the seconds it saves: scoring refits and hold-outs (they only
rank the candidates), then final refits, and the candidates (the dearest first) last.

What the budget controls, then: how many candidates are scored, on how many hold-outs, with
how many refits each, and how many refits each stack member gets. The members are not known
until the candidates are scored, so the plan books :data:`EXPECTED_MEMBERS` average
candidates for them; once they are known, :func:`final_refits` spends the time the budget
has left on them (at most the full route's 50 each). Nothing is stopped half-way: a budget
too small for the smallest step gets the smallest step, and its plan says it is over.

Example:
    >>> costs = {f"K={k}": 0.1 * k for k in range(1, 6)}   # seconds per fit
    >>> plan_route(costs, 1000.0).describe()
    '5 of 5 candidates, 2 hold-outs x 10 refits, 50 final refits per member: ~142 s of 1000 s'
    >>> small = plan_route(costs, 10.0)
    >>> small.reduced, small.select_refits < 10, small.final_refits < 50
    (True, True, True)
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import delayed, effective_n_jobs
from sklearn.base import clone

from genlab.core.errors import InputError, recording_warnings
from genlab.data.datasets import Dataset
from genlab.jobs.impute.bootstrap import parallel

__all__ = [
    "DEFAULT_BUDGET",
    "EFFICIENCY",
    "EXPECTED_MEMBERS",
    "FULL",
    "LADDER",
    "STARTUP",
    "RoutePlan",
    "check_budget",
    "estimate_fit_seconds",
    "final_refits",
    "final_seconds",
    "plan_route",
    "scoring_seconds",
    "workers",
]

#: Seconds the default route may take when no budget is given: the full route on a table of a
#: few hundred rows and a dozen columns, a reduced one on bigger tables (2 CPUs).
DEFAULT_BUDGET = 120.0
#: (share of the candidates kept, hold-outs, scoring refits, final refits), richest first.
#: Order of the cuts (seen on wine and breast_cancer, 20% holes): scoring refits only rank the
#: candidates (fewer of them cost little RMSE), final refits matter more, and dropping
#: candidates most (the big mixtures are both the dearest and often the best).
LADDER: tuple[tuple[float, int, int, int], ...] = (
    (1.0, 2, 10, 50),
    (1.0, 2, 5, 50),
    (1.0, 1, 5, 50),
    (1.0, 1, 5, 30),
    (1.0, 1, 3, 30),
    (1.0, 1, 3, 20),
    (1.0, 1, 2, 20),
    (1.0, 1, 2, 10),
    (0.7, 1, 2, 10),
    (0.5, 1, 2, 10),
    (0.5, 1, 1, 5),
    (0.3, 1, 1, 5),
    (0.0, 1, 1, 2),  # share 0: one candidate, the cheapest
)
FULL = LADDER[0]
#: Stack members booked for the final refits before the weights are known (the ``impute``
#: benchmark's stacks of 10 candidates have 4 to 6, the big mixtures among them).
EXPECTED_MEMBERS = 5
#: Share of the workers' time that joblib turns into fits (dispatch, copies, a busy machine).
EFFICIENCY = 0.75
#: Seconds of a phase's dispatch and of shipping the data to the workers (already started
#: by the pilot fits).
STARTUP = 1.0
# How a Gaussian mixture's fit cost grows with its components: a compromise between timings
# of the default candidates on wine and on breast_cancer (EM's iterations grow with them too;
# low-rank covariances cost about what full ones do).
_COMPONENT_POWER = 1.5


@dataclass(frozen=True)
class RoutePlan:
    """What the default route will do within its budget (see the module docstring).

    Attributes:
        candidates: names of the candidates kept, in the candidates' order.
        n_repeats: hold-outs pooled in every score.
        select_refits: bootstrap refits behind each candidate's score.
        final_refits: at most this many refits of each stack member (fewer when the members
            cost more than was booked for them: :func:`final_refits`).
        seconds: the route's estimated seconds.
        budget: the seconds it was given.
        n_offered: how many candidates there were before any was dropped.
    """

    candidates: tuple[str, ...]
    n_repeats: int
    select_refits: int
    final_refits: int
    seconds: float
    budget: float
    n_offered: int

    @property
    def reduced(self) -> bool:
        """Whether the budget cut the full route (:data:`FULL`) down."""
        full = (self.n_offered, *FULL[1:])
        got = (len(self.candidates), self.n_repeats, self.select_refits, self.final_refits)
        return got != full

    def headline(self, budget_name: str = "the budget") -> str:
        """The route's first line: :meth:`describe`, and whether ``budget_name`` cut it."""
        cut = f" (reduced to fit {budget_name})" if self.reduced else ""
        return f"Default route{cut}: {self.describe()}"

    def describe(self) -> str:
        """One line: what will be done, and its estimated seconds against the budget."""
        return (
            f"{len(self.candidates)} of {self.n_offered} candidates, {self.n_repeats} "
            f"hold-out{'s' if self.n_repeats > 1 else ''} x {self.select_refits} refits, "
            f"{self.final_refits} final refits per member: ~{self.seconds:.0f} s of "
            f"{self.budget:.0f} s"
        )


def plan_route(
    costs: Mapping[str, float], budget: float, *, n_workers: int = 1, spent: float = 0.0
) -> RoutePlan:
    """The richest step of :data:`LADDER` whose estimated seconds fit ``budget``.

    Args:
        costs: candidate name -> seconds of one fit and fill (:func:`estimate_fit_seconds`),
            in the candidates' order.
        budget: seconds the route may take.
        n_workers: processes the fits share (:func:`workers`).
        spent: seconds of the budget already spent (timing the pilots).

    Returns:
        A :class:`RoutePlan`: the smallest step, if none fits (its ``seconds`` then exceed
        its ``budget``). Dropped candidates are the most expensive ones.

    Example:
        >>> plan = plan_route({"cheap": 0.01, "dear": 100.0}, 60.0)
        >>> plan.candidates, plan.reduced
        (('cheap',), True)
    """
    budget = check_budget(budget)
    if not costs:
        raise InputError("the default route needs at least one candidate")
    names = list(costs)
    by_cost = sorted(names, key=lambda name: costs[name])  # cheapest first, stable
    plan = None
    for share, repeats, scoring, final in LADDER:
        keep = set(by_cost[: max(1, round(share * len(names)))])
        kept = tuple(name for name in names if name in keep)
        kept_costs = [costs[name] for name in kept]
        booked = float(np.mean(kept_costs)) * min(EXPECTED_MEMBERS, len(kept))
        seconds = (
            spent
            + scoring_seconds(kept_costs, repeats, scoring, n_workers)
            + final_seconds(booked, final, n_workers)
        )
        plan = RoutePlan(kept, repeats, scoring, final, seconds, budget, len(names))
        if seconds <= budget:
            break
    return plan


def scoring_seconds(
    costs: Sequence[float], n_repeats: int, select_refits: int, n_workers: int = 1
) -> float:
    """Estimated seconds of scoring candidates whose fits cost ``costs`` seconds each.

    Example:
        >>> scoring_seconds([1.0, 2.0], 1, 10, n_workers=2)  # 30 fit-seconds / 1.5 + 1
        21.0
    """
    return sum(costs) * n_repeats * select_refits / _capacity(n_workers) + STARTUP


def final_seconds(member_seconds: float, n_refits: int, n_workers: int = 1) -> float:
    """Estimated seconds of ``n_refits`` refits of members whose fits cost ``member_seconds``
    together.

    Example:
        >>> final_seconds(3.0, 20, n_workers=1)  # 60 fit-seconds / 0.75 + 1
        81.0
    """
    return member_seconds * n_refits / _capacity(n_workers) + STARTUP


def final_refits(member_seconds: float, seconds_left: float, n_workers: int = 1) -> int:
    """Refits of each stack member that fit ``seconds_left``: the time left once the members
    are known, spent on them, between the smallest step's refits and the full route's;
    ``member_seconds``: one fit of every member, together.

    Example:
        >>> final_refits(2.0, 1e4), final_refits(2.0, 40.0), final_refits(2.0, 1.0)
        (50, 14, 2)
    """
    room = (seconds_left - STARTUP) * _capacity(n_workers)
    fits = int(room // max(member_seconds, 1e-9))
    return int(np.clip(fits, LADDER[-1][3], FULL[3]))


def estimate_fit_seconds(
    candidates: Mapping[str, Any], rows: Any, n_jobs: int | None = None
) -> dict[str, float]:
    """Seconds of one fit and conditional-mean fill of ``rows`` by each candidate.

    One pilot per family is timed (the first candidate of each: the defaults list the
    cheapest first); a Gaussian mixture's others are scaled from it by their components
    (power 1.5). The pilots run where the route's fits will (``n_jobs`` processes; each
    worker times one, so that every worker has started before the work is planned) and are
    thrown away. The estimates are rough (EM's iterations vary), so the route corrects them
    by the time its scoring really took before it sizes the final refits.

    Example:
        >>> import numpy as np, genlab
        >>> X = np.random.default_rng(0).normal(size=(60, 3))
        >>> mixtures = {f"K{k}": genlab.GaussianMixture(n_components=k) for k in (1, 2)}
        >>> seconds = estimate_fit_seconds(mixtures, X)
        >>> bool(0 < seconds["K1"] < seconds["K2"])
        True
    """
    data = rows.X if isinstance(rows, Dataset) else rows
    pilots: dict[type, Any] = {}  # family -> its first candidate
    for candidate in candidates.values():
        pilots.setdefault(type(candidate), candidate)
    families = list(pilots)
    # the first family's pilot again on the workers left idle, so that all of them start
    jobs = families + [families[0]] * max(0, workers(n_jobs) - len(families))
    timed = parallel(n_jobs)(delayed(_time_one)(pilots[family], data) for family in jobs)
    seconds_of = {
        family: min(t for f, t in zip(jobs, timed, strict=True) if f == family)
        for family in families
    }
    return {
        name: seconds_of[type(c)] * _size(c) / _size(pilots[type(c)])
        for name, c in candidates.items()
    }


def workers(n_jobs: int | None) -> int:
    """How many processes ``n_jobs`` runs (None: 1; -1: every CPU), as joblib counts them."""
    return 1 if n_jobs is None else int(effective_n_jobs(n_jobs))


def check_budget(budget: Any) -> float:
    """``budget`` as a float, if it is a positive finite number of seconds (InputError)."""
    number = isinstance(budget, int | float | np.integer | np.floating)
    if isinstance(budget, bool) or not number or not np.isfinite(budget) or budget <= 0:
        raise InputError(f"budget must be a positive number of seconds, got {budget!r}")
    return float(budget)


def _capacity(n_workers: int) -> float:
    """Fit-seconds the workers get through per second."""
    return max(n_workers, 1) * EFFICIENCY


def _time_one(candidate: Any, data: Any) -> float:
    """Seconds of fitting a copy of ``candidate`` on ``data`` and filling its holes; a
    fit under a second is timed twice (the first one also warms caches and imports)."""
    elapsed = []
    for _ in range(2):
        start = time.perf_counter()
        recording_warnings(lambda: clone(candidate).fit(data).impute(data, method="mean"))
        elapsed.append(time.perf_counter() - start)
        if elapsed[0] > 1.0:
            break
    return min(elapsed)


def _size(candidate: Any) -> float:
    """A candidate's cost relative to its family's pilot: ``n_components ** 1.5`` (families
    without components cost what their pilot did)."""
    params = candidate.get_params() if hasattr(candidate, "get_params") else {}
    components = params.get("n_components")
    if not isinstance(components, int | np.integer):
        return 1.0
    return float(components) ** _COMPONENT_POWER
