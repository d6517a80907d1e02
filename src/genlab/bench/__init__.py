"""Benchmark suites: genlab against the tools a user would pick instead, same data, same run.

``genlab bench [SUITE ...] --out DIR`` writes ``DIR/results.json`` (format of DESIGN.md) and
``DIR/report.md``. A suite is a module in :mod:`genlab.bench.suites` with ``NAME`` and
``run(*, quick=False) -> list[Row]``; adding one adds a line to :data:`SUITES`. A suite whose
``run`` also takes ``out`` receives the output folder and writes its figures to
``out/figures/``.
"""

from __future__ import annotations

import inspect
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

from genlab.bench.rows import Row
from genlab.bench.suites import (
    anomaly,
    classify,
    code_compress,
    curse_of_dimensionality,
    digits_compress,
    digits_density,
    digits_represent,
    digits_sample,
    digits_superres,
    impute,
    kde_speed,
    synthetic_density,
    tabular_density,
)
from genlab.core.errors import InputError

SUITES: dict[str, Callable[..., list[Row]]] = {
    kde_speed.NAME: kde_speed.run,
    tabular_density.NAME: tabular_density.run,
    synthetic_density.NAME: synthetic_density.run,
    curse_of_dimensionality.NAME: curse_of_dimensionality.run,
    digits_density.NAME: digits_density.run,
    digits_compress.NAME: digits_compress.run,
    anomaly.NAME: anomaly.run,
    classify.NAME: classify.run,
    impute.NAME: impute.run,
    digits_represent.NAME: digits_represent.run,
    digits_sample.NAME: digits_sample.run,
    digits_superres.NAME: digits_superres.run,
    code_compress.NAME: code_compress.run,
}


def run_suites(
    names: list[str] | None,
    out: str | Path,
    *,
    quick: bool = False,
    on_start: Callable[[str], None] | None = None,
) -> dict:
    """Run the named suites (all when empty); write ``results.json``, ``report.md`` and
    ``report.html`` (the style of ``genlab tour``'s report)."""
    import torch

    from genlab import __version__
    from genlab.report.html import bench_report, render_html
    from genlab.report.markdown import results_markdown

    names = list(names or SUITES)
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        raise InputError(f"unknown suite(s) {unknown}; available: {sorted(SUITES)}")
    rows: list[Row] = []
    started = time.perf_counter()
    for name in names:
        if on_start:
            on_start(name)
        run = SUITES[name]
        # suites that draw figures take the output folder and write to out/figures/
        takes_out = "out" in inspect.signature(run).parameters
        rows.extend(run(quick=quick, out=Path(out)) if takes_out else run(quick=quick))
    results = {
        "genlab_version": __version__,
        "machine": {
            "cpus": os.cpu_count(),
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "suites": names,
        "quick": quick,
        "seconds": round(time.perf_counter() - started, 2),
        "rows": [r.to_dict() for r in rows],
    }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    (out / "report.md").write_text(results_markdown(results))
    (out / "report.html").write_text(render_html(bench_report(results, out), out), encoding="utf-8")
    return results
