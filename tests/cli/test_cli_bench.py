"""``genlab bench``: a quick suite writes results.json and report.md."""

from __future__ import annotations

import json

import pytest

from genlab.cli import run


@pytest.mark.parametrize("suite", ["tabular-density"])
def test_bench_quick_writes_results(tmp_path, suite):
    assert run("bench", suite, "--quick", "--out", tmp_path, "-q") == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert {r["suite"] for r in results["rows"]} == {suite}
    assert (tmp_path / "report.md").read_text().startswith("# genlab bench")
