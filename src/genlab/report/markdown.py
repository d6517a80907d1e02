"""Markdown tables of benchmark results (``report.md`` of ``genlab bench``).

Example:
    >>> res = {"genlab_version": "0", "machine": {"cpus": 2, "torch": "2"}, "rows": [
    ...     {"suite": "s", "task": "t", "dataset": "d", "method": "m", "metric": "nll_nats",
    ...      "value": 1.23456, "higher_is_better": False, "seconds": 0.5, "note": ""}]}
    >>> print(results_markdown(res).splitlines()[-1])
    | d | m | 1.235 | 0.5 |  |
"""

from __future__ import annotations

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
        better = "higher" if group[0]["higher_is_better"] else "lower"
        best = {}
        for r in group:
            v, cur = r["value"], best.get(r["dataset"])
            if cur is None or (v > cur if r["higher_is_better"] else v < cur):
                best[r["dataset"]] = v
        lines += [
            "",
            f"## {suite}: {metric} ({better} is better)",
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
