"""The generate job in the tour: 24 samples of every family on digits, as grids, with the time
each family took to draw them (:func:`genlab.jobs.generate.draw`)."""

from __future__ import annotations

from typing import Any

from genlab.jobs.generate import draw
from genlab.report.html import Figure, Section, Table
from genlab.tour.context import FAMILY_MODELS, Tour, settings_note

N_SAMPLES = 24  # per family: two rows of 12

TEXT = (
    "A generative model learns p(x) from examples and draws new ones. Each family below was "
    "fitted to the same training digits (8x8, 17 grey levels) and asked for 24 samples. "
    "Sharper, more varied digits mean a better model of p(x); blurry or repeated ones show "
    "what the family cannot capture (a Gaussian mixture blurs, a KDE copies its "
    "training data)."
)
CODE = (
    "genlab fit autoregressive digits -o runs/ar\n"
    "genlab sample runs/ar -n 24 -o samples.png\n\n"
    "m = genlab.AutoregressiveModel().fit(train)\nm.sample(24, random_state=0)"
)
FLOW_NOTE = (
    "Flow: its samples are drawn over its density on a 2-D set in section 3 (on 64 pixels "
    "a flow needs several minutes of training, more than the tour's budget)."
)


def section_generate(tour: Tour) -> Section:
    """1. generate: one grid of samples per family on digits."""
    train, _ = tour.data("digits")
    figures = [
        tour.grid(
            train.X[:N_SAMPLES],
            "generate-data",
            "Training digits (for reference)",
            title="Training data: real digits",
            per_row=12,
        )
    ]
    rows = []
    for family, name in FAMILY_MODELS.items():
        figure, row = _family_samples(tour, family, name)
        figures.append(figure)
        rows.append(row)
    return Section(
        "generate",
        "1. Generate: new samples x ~ p(x)",
        TEXT,
        code=CODE,
        figures=figures,
        tables=[Table(["family", "samples", "sampling seconds", "settings"], rows)],
        notes=[FLOW_NOTE],
    )


def _family_samples(tour: Tour, family: str, name: str) -> tuple[Figure, list[Any]]:
    """The sample grid of tour model ``name`` and its row of the table."""
    model = tour.model(name)
    drawn = draw(model, N_SAMPLES, random_state=tour.config.seed)  # (24, 8, 8), levels 0..16
    figure = tour.grid(
        drawn.values,
        f"generate-{name}",
        f"{N_SAMPLES} samples of {family}",
        title=f"{family}: samples",
        per_row=12,
    )
    return figure, [family, len(drawn.values), round(drawn.seconds, 3), settings_note(model)]
