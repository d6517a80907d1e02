"""A check every suite's quick rows pass: its methods are scored on the same split and metric."""

from __future__ import annotations

from collections import defaultdict

from genlab.bench.rows import Row


def assert_scored_alike(rows: list[Row], *, only_some: frozenset[str] = frozenset()) -> None:
    """Every method of a suite scored on a dataset (its split) has the same metrics there, each
    with one row, the same direction and the same target; ``only_some`` names metrics that by
    design only some methods have (an exact likelihood, a timing)."""
    assert len({r.suite for r in rows}) == 1
    metrics: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    seen: set[tuple[str, str, str]] = set()
    for r in rows:
        key = (r.dataset, r.method, r.metric)
        assert key not in seen, f"{key} scored twice"
        seen.add(key)
        if r.metric not in only_some:
            metrics[r.dataset][r.method].add(r.metric)
    for dataset, by_method in metrics.items():
        sets = {frozenset(m) for m in by_method.values()}
        assert len(sets) == 1, f"{dataset}: methods scored on different metrics {dict(by_method)}"
    for metric in {r.metric for r in rows}:
        kinds = {(r.higher_is_better, r.target) for r in rows if r.metric == metric}
        assert len(kinds) == 1, f"{metric} has rows of different directions or targets {kinds}"
