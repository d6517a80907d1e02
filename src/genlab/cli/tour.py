"""``genlab tour``: every job of a generative model on the bundled data, in one report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genlab.cli.options import Quiet, Seed, check_folder, err, is_quiet, say


def tour(
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = Path("runs/tour"),
    fast: Annotated[
        bool, typer.Option("--fast", help="The one-minute version: small data, tiny models.")
    ] = False,
    budget: Annotated[
        float, typer.Option("--budget", help="Minutes for the whole tour; models train in shares.")
    ] = 8.0,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Every job of a generative model on the bundled data, in one report.

    Writes OUT/index.html (self-contained) and OUT/report.md, figures in OUT/figures; models
    are cached in OUT/models, so a second run reuses them."""
    from genlab.tour import TourConfig, run_tour

    check_folder(out)
    config = TourConfig(out, fast=fast, budget_minutes=budget, seed=seed, quiet=is_quiet())
    report = run_tour(config)
    failed = [s.title for s in report.sections if s.status == "failed"]
    say(f"Report written to {out / 'index.html'} and {out / 'report.md'}")
    if failed:
        err.print(f"[red]error:[/red] failed sections: {', '.join(failed)}")
        raise typer.Exit(1)
