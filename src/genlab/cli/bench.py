"""``genlab bench``: benchmark suites run, with results.json and report.md written."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genlab.cli.options import Quiet, check_folder, is_quiet, say


def bench(
    suites: Annotated[
        list[str] | None, typer.Argument(help="Suites to run (default: all).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("runs/bench"),
    quick: Annotated[bool, typer.Option(help="Small sizes, for a smoke test.")] = False,
    quiet: Quiet = False,
) -> None:
    """Run benchmark suites; write results.json and report.md to --out."""
    from genlab.bench import run_suites

    check_folder(out)
    results = run_suites(suites, out, quick=quick, on_start=lambda s: say(f"Running {s}…"))
    if not is_quiet():
        print((out / "report.md").read_text())
    say(f"{len(results['rows'])} rows in {results['seconds']:.0f} s → {out}/results.json")
