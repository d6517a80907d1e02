"""Markdown tables of benchmark results (``report.md`` of ``genlab bench``).

Example:
    >>> res = {"genlab_version": "0", "machine": {"cpus": 2, "torch": "2"}, "rows": [
    ...     {"suite": "s", "task": "t", "dataset": "d", "method": "m", "metric": "nll_nats",
    ...      "value": 1.23456, "higher_is_better": False, "seconds": 0.5, "note": ""}]}
    >>> print(results_markdown(res).splitlines()[-1])
    | d | m | 1.235 | 0.5 |  |
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby


def _fmt(v: float | None) -> str:
    if v is None:
        return ""
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e5):
        return f"{v:.2e}"
    return f"{v:.4g}"


def _cell(text: str) -> str:
    """Table-cell text: a pipe would end the cell."""
    return text.replace("|", r"\|")


def ranking(row: dict) -> tuple[str, Callable[[float], float]]:
    """How a row's metric ranks values: a heading (``"lower is better"``) and a key that is
    smallest for the best value. A row with a ``target`` (a calibration metric such as
    ``coverage90``) ranks by the distance to it: over-covering is no better than under.

    Example:
        >>> label, key = ranking({"higher_is_better": True, "target": 0.9})
        >>> label, key(0.96) > key(0.91)
        ('closest to 0.9 is best', True)
    """
    if row.get("target") is not None:
        target = float(row["target"])
        return f"closest to {target:g} is best", lambda v: abs(v - target)
    if row["higher_is_better"]:
        return "higher is better", lambda v: -v
    return "lower is better", lambda v: v


def results_markdown(results: dict) -> str:
    """One table per (suite, metric); the best value of each dataset in bold."""
    m = results["machine"]
    lines = [
        "# genlab bench",
        "",
        f"genlab {results['genlab_version']}, torch {m.get('torch')}, {m.get('cpus')} CPUs.",
    ]
    key = lambda r: (r["suite"], r["metric"])  # noqa: E731
    for (suite, metric), group in groupby(sorted(results["rows"], key=key), key=key):
        group = list(group)
        label, key = ranking(group[0])
        best = {}
        for r in group:
            v, cur = r["value"], best.get(r["dataset"])
            if cur is None or key(v) < key(cur):
                best[r["dataset"]] = v
        lines += [
            "",
            f"## {suite}: {metric} ({label})",
            "",
            "| dataset | method | value | seconds | note |",
            "|---|---|---|---|---|",
        ]
        for r in group:
            value = _fmt(r["value"])
            if r["value"] == best[r["dataset"]] and len(group) > 1:
                value = f"**{value}**"
            lines.append(
                f"| {r['dataset']} | {r['method']} | {value} | {_fmt(r.get('seconds'))} | "
                f"{_cell(r.get('note', ''))} |"
            )
    return "\n".join(lines) + "\n"
