"""Suite ``synthetic-density``: NLL on sets whose true density is known, and the gap to it.

The true density's NLL on the same test points is the floor no model beats in expectation;
``gap_nats`` is each model's NLL minus that floor (0 is perfect). Given an output folder, the
suite also draws each genlab model's density contours and samples beside the true density for
the 2-D sets (``figures/contours_<dataset>_<model>.png``). The methods are
``tabular-density``'s: each family's row, ``genlab.KDE (default)`` and ``genlab.Auto``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from genlab.bench.rows import Row
from genlab.bench.suites.tabular_density import nll_rows
from genlab.data.datasets import load_dataset

NAME = "synthetic-density"
DATASETS = ("eight_gaussians", "concentric_rings", "gmm10d")
N_TEST = 5000


def run(*, quick: bool = False, out: Path | None = None) -> list[Row]:
    rows = []
    for name in DATASETS[:1] if quick else DATASETS:
        ds = load_dataset(name)
        Xtr = ds.X[:500] if quick else ds.X
        Xte = ds.density.sample(1000 if quick else N_TEST, random_state=1)
        floor = float(-np.mean(ds.density.true_log_prob(Xte)))
        rows.append(Row(NAME, "density", name, "true density", "nll_nats", floor, False))
        fitted: dict = {}
        for row in nll_rows(NAME, name, Xtr, Xte, fitted, quick=quick):
            rows.append(row)
            rows.append(
                Row(
                    NAME,
                    "density",
                    name,
                    row.method,
                    "gap_nats",
                    row.value - floor,
                    False,
                    row.seconds,
                )
            )
        if out is not None and Xtr.shape[1] == 2:
            save_contours(ds, fitted, Path(out) / "figures")
    return rows


def save_contours(ds: Any, fitted: dict, folder: Path) -> None:
    """One contour figure per fitted genlab model of the 2-D dataset ``ds``."""
    from genlab.report.figures import density_contours_figure, save_figure

    for method, model in fitted.items():
        fig = density_contours_figure(model, ds, title=f"{method} on {ds.name}")
        save_figure(fig, folder / f"contours_{ds.name}_{slug(method)}.png")


def slug(method: str) -> str:
    """A method name as a file name part.

    Example:
        >>> slug("genlab.KDE"), slug("genlab.KDE (default)")
        ('kde', 'kde-default')
    """
    return re.sub(r"[^a-z0-9]+", "-", method.removeprefix("genlab.").lower()).strip("-")
