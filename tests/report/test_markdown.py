"""Markdown tables of bench results: which value is bold, and the heading that says why."""

from __future__ import annotations

from genlab.bench.rows import Row
from genlab.report.markdown import results_markdown


def results(*rows: Row) -> dict:
    return {"genlab_version": "0", "machine": {"cpus": 2}, "rows": [r.to_dict() for r in rows]}


def bold(markdown: str) -> list[str]:
    """The method of every row whose value is bold."""
    return [line.split(" | ")[1] for line in markdown.splitlines() if "| **" in line]


def test_the_best_is_the_lowest_or_the_highest():
    low = results(
        Row("s", "t", "d", "a", "rmse", 2.0, False), Row("s", "t", "d", "b", "rmse", 1.0, False)
    )
    assert bold(results_markdown(low)) == ["b"] and "(lower is better)" in results_markdown(low)
    high = results(
        Row("s", "t", "d", "a", "auc", 0.7, True), Row("s", "t", "d", "b", "auc", 0.9, True)
    )
    assert bold(results_markdown(high)) == ["b"] and "(higher is better)" in results_markdown(high)


def test_a_calibration_metric_is_best_closest_to_its_target():
    rows = [
        Row("s", "t", "d", method, "coverage90", value, True, target=0.9)
        for method, value in (("over", 0.96), ("near", 0.92), ("under", 0.86))
    ]
    text = results_markdown(results(*rows))
    assert bold(text) == ["near"] and "## s: coverage90 (closest to 0.9 is best)" in text


def test_rows_carry_a_target_only_when_they_have_one():
    assert "target" not in Row("s", "t", "d", "m", "rmse", 1.0, False).to_dict()
    assert Row("s", "t", "d", "m", "coverage90", 0.9, True, target=0.9).to_dict()["target"] == 0.9
