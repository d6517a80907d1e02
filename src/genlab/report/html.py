"""Reports as one self-contained HTML file and as markdown, from the same sections.

A :class:`Report` is a list of :class:`Section` s, each with an explanation, the command or
Python call that reproduces it, figures (PNG files next to the report) and tables. The HTML
embeds every image as a base64 ``data:`` URI and uses inline CSS only, so ``index.html`` opens
alone: sent by mail, offline, without JavaScript and without a network request. The markdown
version (for terminals and diffs) refers to the same PNG files by relative path. ``genlab
tour`` and ``genlab bench`` (:func:`bench_report`) share this renderer, so their reports look
the same.

Example:
    >>> rep = Report("demo", [Section("density", "Density", "Score rows.", code="m.log_prob(X)",
    ...     tables=[Table(["model", "bits/dim"], [["ar", 1.93456]])])])
    >>> '<td class="num">1.935</td>' in render_html(rep, root=".")
    True
    >>> print(render_markdown(rep).splitlines()[-1])
    | ar | 1.935 |
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genlab.core.errors import InputError
from genlab.report.markdown import ranking

#: Section status shown as a badge: done, or honestly missing.
STATUSES = ("done", "not built yet", "failed", "skipped")


@dataclass
class Figure:
    """A PNG file of the report (``path`` relative to the report's folder) and its caption."""

    path: str
    caption: str = ""


@dataclass
class Table:
    """A small table: column names and rows of cells (numbers are formatted on rendering).

    Example:
        >>> Table.from_frame(pd.DataFrame({"a": [1.0]}, index=["x"])).rows
        [['x', 1.0]]
    """

    columns: list[str]
    rows: list[list[Any]]
    title: str = ""
    note: str = ""

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, title: str = "", note: str = "") -> Table:
        """A table of a DataFrame, its index as the first column."""
        index_name = frame.index.name or ""
        values = frame.to_numpy().tolist()  # (rows, columns) as Python scalars
        rows = [[idx, *row] for idx, row in zip(frame.index, values, strict=True)]
        return cls([index_name, *map(str, frame.columns)], rows, title, note)


@dataclass
class Section:
    """One part of a report (one job of the tour, one benchmark table, ...).

    Attributes:
        key: anchor id (letters, digits and dashes).
        title: heading.
        text: explanation, paragraphs separated by blank lines (plain text).
        code: the command or Python call that reproduces it.
        figures: pictures, in order.
        tables: tables, in order.
        status: one of :data:`STATUSES`; anything but ``"done"`` is shown as a badge.
        seconds: how long the section took to compute, shown under the heading.
        notes: short remarks (settings, caveats) listed after the tables.
    """

    key: str
    title: str
    text: str = ""
    code: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    status: str = "done"
    seconds: float | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise InputError(f"status must be one of {STATUSES}, got {self.status!r}")


@dataclass
class Report:
    """A titled list of sections, with an introduction and a footer line (e.g. the machine)."""

    title: str
    sections: list[Section]
    intro: str = ""
    footer: str = ""
    playground: bool = False  # link to ``genlab serve`` (the tour's report sets it)


#: What a report with ``playground=True`` says under its introduction.
PLAYGROUND_TEXT = (
    "Try every job yourself in the playground: run `genlab serve` (it uses the models this "
    "tour saved in runs/tour/models) and open"
)
#: Written as text, not a link: the report stays self-contained (no address it points to).
PLAYGROUND_URL = "127.0.0.1:8000"


# ================================================================= formatting
def format_cell(value: Any) -> str:
    """A table cell as text: floats to 4 significant digits, NaN/None empty.

    Example:
        >>> [format_cell(v) for v in (0.123456, 12345678.0, float("nan"), True, "x")]
        ['0.1235', '1.235e+07', '', 'yes', 'x']
    """
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return ""
        return f"{value:.4g}"
    return str(value)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.strip().split("\n\n") if p.strip()]


# ======================================================================= html
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1000px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #2b6cb0;padding-bottom:.2em}
h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
nav ol{columns:2}
pre{background:#f5f7fa;border:1px solid #e2e8f0;padding:.6em .8em;overflow-x:auto;font-size:90%}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:90%}
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left}
th{background:#f0f4f8} td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:85%;color:#555;max-width:460px}
.badge{display:inline-block;padding:.1em .5em;border-radius:.3em;font-size:80%;color:#fff;
background:#b7791f;margin-left:.5em;vertical-align:middle}
.badge.failed{background:#c53030} .meta{color:#666;font-size:85%}
.notes li{font-size:90%;color:#444}
"""


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _table_html(table: Table) -> str:
    esc = html.escape
    parts = []
    if table.title:
        parts.append(f"<p><b>{esc(table.title)}</b></p>")
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cells = []
        for v in row:
            numeric = isinstance(v, int | float | np.integer | np.floating) and not isinstance(
                v, bool | np.bool_
            )
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{esc(format_cell(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    parts.append(f"<table><tr>{head}</tr>{''.join(body)}</table>")
    if table.note:
        parts.append(f'<p class="meta">{esc(table.note)}</p>')
    return "\n".join(parts)


def _section_html(section: Section, root: Path) -> str:
    esc = html.escape
    badge = ""
    if section.status != "done":
        badge = (
            f' <span class="badge {esc(section.status.split()[0])}">{esc(section.status)}</span>'
        )
    parts = [f'<section id="{esc(section.key)}">', f"<h2>{esc(section.title)}{badge}</h2>"]
    if section.seconds is not None:
        parts.append(f'<p class="meta">computed in {section.seconds:.1f} s</p>')
    parts += [f"<p>{esc(p)}</p>" for p in _paragraphs(section.text)]
    if section.code:
        parts.append(f"<pre><code>{esc(section.code.strip())}</code></pre>")
    for fig in section.figures:
        file = root / fig.path
        if not file.is_file():
            raise InputError(f"figure {fig.path!r} of section {section.key!r} is not in {root}")
        alt = esc(fig.caption or fig.path)
        parts.append(
            f'<figure><img src="{_data_uri(file)}" alt="{alt}">'
            f"<figcaption>{esc(fig.caption)} <i>({esc(fig.path)})</i></figcaption></figure>"
        )
    parts += [_table_html(t) for t in section.tables]
    if section.notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in section.notes)
        parts.append(f'<ul class="notes">{items}</ul>')
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: Report, root: str | Path) -> str:
    """The report as one HTML page; figures are read from ``root`` and embedded.

    Args:
        report: what to render.
        root: the folder the figure paths are relative to (the report's folder).
    """
    esc = html.escape
    root = Path(root)
    toc = "".join(f'<li><a href="#{esc(s.key)}">{esc(s.title)}</a></li>' for s in report.sections)
    body = [f"<h1>{esc(report.title)}</h1>"]
    body += [f"<p>{esc(p)}</p>" for p in _paragraphs(report.intro)]
    if report.playground:
        link = f"<code>{PLAYGROUND_URL}</code> in a browser"
        body.append(f'<p class="playground">{esc(PLAYGROUND_TEXT)} {link}.</p>')
    body.append(f"<nav><ol>{toc}</ol></nav>")
    body += [_section_html(s, root) for s in report.sections]
    if report.footer:
        body.append(f'<hr><p class="meta">{esc(report.footer)}</p>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(report.title)}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


# =================================================================== markdown
def _md_cell(value: Any) -> str:
    return format_cell(value).replace("|", r"\|").replace("\n", " ")


def _table_markdown(table: Table) -> list[str]:
    lines = [f"**{table.title}**", ""] if table.title else []
    lines.append("| " + " | ".join(_md_cell(c) for c in table.columns) + " |")
    lines.append("|" + "---|" * len(table.columns))
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.rows]
    if table.note:
        lines += ["", f"_{table.note}_"]
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    """The report as markdown; images are linked by their relative paths."""
    lines = [f"# {report.title}", ""]
    for p in _paragraphs(report.intro):
        lines += [p, ""]
    if report.playground:
        lines += [f"{PLAYGROUND_TEXT} `{PLAYGROUND_URL}` in a browser.", ""]
    for s in report.sections:
        status = "" if s.status == "done" else f" ({s.status})"
        lines += [f"## {s.title}{status}", ""]
        if s.seconds is not None:
            lines += [f"_computed in {s.seconds:.1f} s_", ""]
        for p in _paragraphs(s.text):
            lines += [p, ""]
        if s.code:
            lines += ["```", s.code.strip(), "```", ""]
        for fig in s.figures:
            lines += [f"![{fig.caption}]({fig.path})", ""]
        for t in s.tables:
            lines += _table_markdown(t)
        lines += [f"- {n}" for n in s.notes]
        if s.notes:
            lines.append("")
    if report.footer:
        lines += ["---", "", report.footer, ""]
    return "\n".join(lines)


def write_report(
    report: Report, out: str | Path, html_name: str = "index.html", md_name: str = "report.md"
) -> tuple[Path, Path]:
    """Write ``report`` as ``out/html_name`` (self-contained) and ``out/md_name``.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     page, md = write_report(Report("t", [Section("a", "A", "x")]), d)
        ...     page.name, md.read_text().startswith("# t")
        ('index.html', True)
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    page = out / html_name
    page.write_text(render_html(report, out), encoding="utf-8")
    md = out / md_name
    md.write_text(render_markdown(report), encoding="utf-8")
    return page, md


# ====================================================================== bench
def bench_report(results: dict, root: str | Path | None = None) -> Report:
    """The ``results.json`` of ``genlab bench`` as a report: one section per suite and metric,
    and a last section with the PNG files that suites wrote to ``root/figures/``.

    Example:
        >>> res = {"genlab_version": "0", "machine": {"cpus": 2, "torch": "2"}, "rows": [
        ...     {"suite": "s", "task": "t", "dataset": "d", "method": "m", "metric": "nll_nats",
        ...      "value": 1.5, "higher_is_better": False, "seconds": 0.5, "note": ""}]}
        >>> [s.title for s in bench_report(res).sections]
        ['s: nll_nats (lower is better)']
    """
    m = results["machine"]
    key = lambda r: (r["suite"], r["metric"])  # noqa: E731
    sections = []
    for (suite, metric), group in groupby(sorted(results["rows"], key=key), key=key):
        group = list(group)
        label = ranking(group[0])[0]
        rows = [
            [r["dataset"], r["method"], r["value"], r.get("seconds"), r.get("note", "")]
            for r in group
        ]
        table = Table(["dataset", "method", "value", "seconds", "note"], rows)
        sections.append(
            Section(
                f"{suite}-{metric}".replace("_", "-"),
                f"{suite}: {metric} ({label})",
                code=f"genlab bench {suite}",
                tables=[table],
            )
        )
    pictures = sorted(Path(root).glob("figures/*.png")) if root is not None else []
    if pictures:
        figures = [Figure(p.relative_to(root).as_posix(), p.stem) for p in pictures]
        sections.append(Section("figures", "Figures", "Written by the suites.", figures=figures))
    footer = f"genlab {results['genlab_version']}, torch {m.get('torch')}, {m.get('cpus')} CPUs."
    if "seconds" in results:
        footer += f" {results['seconds']:.0f} s in all."
    return Report("genlab bench", sections, footer=footer)
