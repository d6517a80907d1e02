"""Paste benchmark tables into README.md between the BENCH markers.

Usage: python tools/readme_bench.py "SUITES=DIR" ...   e.g. "kde-speed=runs/bench-kde"

Each argument names the suites a `genlab bench SUITES --out DIR` run covered and its output
folder; the tables come from DIR/results.json (rendered like report.md), so every number in
the README is one a rerunnable command produced. A run's block replaces the block of the same
command already there (from its head line to the next run's); runs not named keep their
blocks, and a new run's block goes at the end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from genlab.report.markdown import results_markdown

START, END = "<!-- BENCH:START -->", "<!-- BENCH:END -->"


def block(suites: str, out: str) -> str:
    results = json.loads((Path(out) / "results.json").read_text())
    m = results["machine"]
    head = (
        f"`genlab bench {suites.replace(',', ' ')} --out {out}` — genlab "
        f"{results['genlab_version']}, torch {m.get('torch')}, {m.get('cpus')} CPUs, "
        f"{results['seconds']:.0f} s in all:"
    )
    body = results_markdown(results).split("\n", 3)[3]  # drop the title and machine lines
    return head + "\n" + body.replace("\n## ", "\n#### ")


def main(args: list[str]) -> None:
    readme = Path("README.md")
    text = readme.read_text()
    before, rest = text.split(START, 1)
    region, after = rest.split(END, 1)
    for arg in args:
        region = replace_block(region, block(*arg.split("=", 1)))
    readme.write_text(before + START + region + END + after)


def replace_block(region: str, new: str) -> str:
    """``region`` with the block whose head line (up to ``—``) matches ``new``'s replaced."""
    key = new.split(" — ", 1)[0]
    lines = region.split("\n")
    heads = [i for i, line in enumerate(lines) if line.startswith("`genlab bench ")]
    for k, i in enumerate(heads):
        if lines[i].split(" — ", 1)[0] == key:
            end = heads[k + 1] if k + 1 < len(heads) else len(lines) - 1
            return "\n".join(lines[:i] + new.rstrip("\n").split("\n") + [""] + lines[end:])
    return region.rstrip("\n") + "\n\n" + new + "\n"


if __name__ == "__main__":
    main(sys.argv[1:])
