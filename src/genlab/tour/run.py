"""Running the tour: :data:`SECTIONS` (one per job, in report order), :func:`run_tour`, which
runs each section (a missing module is reported as ``not built yet``, an error as ``failed``)
and writes the report, and the parts of the report about the run itself (the run table, the
command that reproduces it, the introduction and the machine line)."""

from __future__ import annotations

import time
from collections.abc import Callable

from genlab.report.html import Report, Section, Table, write_report
from genlab.tour.compress import section_compress
from genlab.tour.condition import section_condition
from genlab.tour.context import DEFAULT_BUDGET_MINUTES, Tour, TourConfig
from genlab.tour.density import section_density
from genlab.tour.diffusion import section_diffusion
from genlab.tour.gan import section_gan
from genlab.tour.generate import section_generate
from genlab.tour.impute import section_impute
from genlab.tour.represent import section_represent
from genlab.tour.roadmap import section_not_built
from genlab.tour.text import section_text

SECTIONS: tuple[Callable[[Tour], Section], ...] = (
    section_generate,
    section_condition,
    section_density,
    section_impute,
    section_represent,
    section_compress,
    section_diffusion,
    section_gan,
    section_text,
)


# ======================================================================== run
def run_tour(config: TourConfig) -> Report:
    """Train (or reuse) the models, run every section, write ``index.html`` and ``report.md``.

    A section whose module is missing from this installation is reported as ``not built
    yet``; a section that raises is reported as ``failed`` with the error, and the rest of the
    tour still runs (the report says which; ``genlab tour`` then exits with status 1).
    """
    tour = Tour(config)
    sections = []
    for make in SECTIONS:
        title = (make.__doc__ or make.__name__).split(":")[0].strip()
        start = time.perf_counter()
        try:
            section = make(tour)
        except ModuleNotFoundError as e:
            if not (e.name or "").startswith("genlab"):
                raise
            section = Section(
                make.__name__.removeprefix("section_"),
                title,
                status="not built yet",
                text=f"This job needs {e.name}, which this installation does not have yet.",
            )
        except Exception as e:  # the report says which job failed; the others still run
            tour.console.print_exception()
            section = Section(
                make.__name__.removeprefix("section_"),
                title,
                status="failed",
                text=f"{type(e).__name__}: {e}",
            )
        section.seconds = time.perf_counter() - start
        sections.append(section)
        tour.say(f"[bold]{section.title}[/bold]: {section.status} ({section.seconds:.1f} s)")
    sections.append(section_not_built(tour))
    sections.append(_run_section(tour))
    report = Report(
        "genlab tour: every job of a generative model, on bundled data",
        sections,
        intro=_intro(tour),
        footer=_machine_line(),
        playground=True,
    )
    write_report(report, config.out)
    return report


def _run_section(tour: Tour) -> Section:
    rows = [
        *tour.steps,
        ["whole tour", round(tour.budget.elapsed, 2), f"budget {tour.budget.seconds:g} s"],
    ]
    return Section(
        "run",
        "This run",
        "Every number and picture above comes from this run. Models are cached in models/ "
        "under the report folder; a second run reuses them unless a setting changed.",
        code=_command(tour.config),
        tables=[Table(["step", "seconds", "how"], rows)],
    )


def _command(config: TourConfig) -> str:
    parts = ["genlab tour", f"--out {config.out}"]
    if config.fast:
        parts.append("--fast")
    if config.budget_minutes != DEFAULT_BUDGET_MINUTES:
        parts.append(f"--budget {config.budget_minutes:g}")
    if config.seed:
        parts.append(f"--seed {config.seed}")
    return " ".join(parts)


def _intro(tour: Tour) -> str:
    mode = " (--fast: small data and tiny models, a smoke run)" if tour.config.fast else ""
    return (
        "genlab does every job a generative model is used for with one interface. This report "
        "runs each of them on data that ships with genlab (8x8 digits, the wine and breast "
        f"cancer tables, a 2-D set whose true density is known){mode}.\n\n"
        f"Reproduce it with: {_command(tour.config)}. Budget "
        f"{tour.config.budget_minutes:g} min; seed {tour.config.seed}."
    )


def _machine_line() -> str:
    import os
    import platform

    import torch

    from genlab import __version__

    return (
        f"genlab {__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}."
    )
