"""The HTML/markdown report renderer: self-contained pages, escaping, the bench report."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from PIL import Image

from genlab.bench import SUITES, run_suites
from genlab.bench.rows import Row
from genlab.core.errors import InputError
from genlab.report.html import (
    Figure,
    Report,
    Section,
    Table,
    bench_report,
    render_html,
    render_markdown,
    write_report,
)


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "figures" / "dot.png"
    path.parent.mkdir()
    Image.fromarray(np.full((4, 6, 3), 200, dtype=np.uint8)).save(path)
    return path


def test_html_embeds_every_figure_and_needs_nothing_else(tmp_path, picture):
    report = Report(
        "t",
        [Section("a", "A", "x", figures=[Figure("figures/dot.png", "a dot")])],
        intro="hello",
    )
    page = render_html(report, tmp_path)
    uris = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(uris) == 1
    assert base64.b64decode(uris[0]) == picture.read_bytes()
    # nothing fetched from elsewhere: no scripts, no links to files or the network
    assert "<script" not in page
    assert not re.search(r'(src|href)="(?!data:|#)', page)
    assert "http://" not in page and "https://" not in page


def test_text_is_escaped_and_tables_formatted(tmp_path):
    section = Section(
        "s",
        "<b>title</b>",
        "a <script>alert(1)</script> b\n\nsecond paragraph",
        code="x < y",
        tables=[Table(["name", "value"], [["a|b", 0.123456], ["nan", float("nan")]])],
        notes=["note & more"],
    )
    page = render_html(Report("r", [section]), tmp_path)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "x &lt; y" in page and "note &amp; more" in page
    assert page.count("<p>") >= 2  # one per paragraph
    assert '<td class="num">0.1235</td>' in page
    md = render_markdown(Report("r", [section]))
    assert r"| a\|b | 0.1235 |" in md
    assert "| nan |  |" in md


def test_status_badges_and_bad_input(tmp_path):
    page = render_html(Report("r", [Section("s", "S", status="not built yet")]), tmp_path)
    assert 'class="badge not"' in page and "not built yet" in page
    with pytest.raises(InputError, match="status"):
        Section("s", "S", status="almost")
    missing = Section("s", "S", figures=[Figure("figures/none.png")])
    with pytest.raises(InputError, match=r"none\.png"):
        render_html(Report("r", [missing]), tmp_path)


def test_write_report_writes_html_and_markdown_with_the_same_sections(tmp_path, picture):
    sections = [
        Section("one", "One", "x", figures=[Figure("figures/dot.png", "dot")]),
        Section("two", "Two", "y", tables=[Table(["a"], [[1]])], seconds=1.25),
    ]
    page, md = write_report(Report("Title", sections, footer="machine"), tmp_path)
    html_text, md_text = page.read_text(), md.read_text()
    for s in sections:
        assert f'id="{s.key}"' in html_text and f"## {s.title}" in md_text
    assert "![dot](figures/dot.png)" in md_text
    assert "computed in 1.2 s" in html_text  # 1.25 rounds half to even
    assert md_text.rstrip().endswith("machine")


def test_table_from_frame_keeps_the_index():
    import pandas as pd

    frame = pd.DataFrame({"v": [1.5, 2.5]}, index=pd.Index(["a", "b"], name="model"))
    table = Table.from_frame(frame, title="t")
    assert table.columns == ["model", "v"] and table.rows == [["a", 1.5], ["b", 2.5]]


def test_bench_report_groups_rows_and_lists_figures(tmp_path, picture):
    row = dict(Row("s", "t", "d", "m", "nll", 1.0, False, 0.5).to_dict())
    results = {"genlab_version": "0", "machine": {"cpus": 2}, "seconds": 3, "rows": [row]}
    rep = bench_report(results, tmp_path)
    assert [s.key for s in rep.sections] == ["s-nll", "figures"]
    assert rep.sections[1].figures[0].path == "figures/dot.png"
    assert "3 s in all" in rep.footer


def test_run_suites_writes_report_html(tmp_path, monkeypatch):
    def tiny(quick: bool = False) -> list[Row]:
        return [Row("tiny", "density", "d", "genlab.KDE", "nll_nats", 1.0, False, 0.1)]

    monkeypatch.setitem(SUITES, "tiny", tiny)
    run_suites(["tiny"], tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert "tiny: nll_nats (lower is better)" in page
    assert json.loads((tmp_path / "results.json").read_text())["rows"][0]["suite"] == "tiny"
