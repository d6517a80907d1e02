"""The condition job in the tour: x ~ p(x | c) with c a class (one row of samples per class,
:func:`genlab.jobs.condition.samples_per_class`) and with c an image (inpainting: the bottom
half of test digits drawn given their top half)."""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.jobs.condition import samples_per_class
from genlab.metrics import rmse
from genlab.report.html import Figure, Section, Table
from genlab.tour.context import Tour, settings_note

PER_CLASS = 10  # samples in each row of the class grid
N_INPAINTED = 8  # test digits in the inpainting strip

TEXT = (
    "A conditional model draws from p(x | c): here c is a class (each row asks for one "
    "digit) or an image (the top half of a test digit, the model draws the bottom half: "
    "inpainting). The any-order autoregressive model conditions on any set of observed "
    "pixels exactly, so inpainting is sampling the missing pixels one by one given the rest."
)
CODE = (
    "m = genlab.AutoregressiveModel().fit(train, train.y)   # labels: class-conditional\n"
    "m.sample(10, condition=3)                              # ten 3s\n"
    "holes = apply_mask(X, bottom_half(X.shape))\n"
    "genlab.AutoregressiveModel().fit(train).impute(holes, n_imputations=3)"
)


def section_condition(tour: Tour) -> Section:
    """2. condition: one row per class (class → image), inpainting (image → image)."""
    _, test = tour.data("digits")
    by_class = tour.model("digits-ar-classes")
    figures = [_class_rows(tour, by_class)]
    ar = tour.model("digits-ar")
    figures.append(_inpainting_strip(tour, ar))
    rows = _inpainting_errors(tour, ar)
    return Section(
        "condition",
        "2. Condition: x ~ p(x | c)",
        TEXT,
        code=CODE,
        figures=figures,
        tables=[
            Table(
                ["method", "RMSE of the bottom halves (grey levels 0..16)"],
                rows,
                title=f"Inpainting the bottom halves of {len(test)} test digits",
            )
        ],
        notes=[settings_note(by_class) + ", fitted with the labels", settings_note(ar)],
    )


def _class_rows(tour: Tour, by_class: Any) -> Figure:
    """Ten samples of every class of the class-conditional model, one row per class."""
    samples, labels = samples_per_class(by_class, PER_CLASS, random_state=tour.config.seed)
    return tour.grid(
        samples,
        "condition-classes",
        "Samples of p(x | class), one row per class",
        labels=labels,
        title="AutoregressiveModel: x ~ p(x | class)",
    )


def _inpainting_strip(tour: Tour, ar: Any) -> Figure:
    """Test digits, their top halves, and 3 draws of the bottom half given the top."""
    from genlab.data.masks import apply_mask, bottom_half

    _, test = tour.data("digits")
    originals = test.X[:N_INPAINTED]  # (8, 8, 8)
    holes = apply_mask(originals, bottom_half(originals.shape))  # bottom halves are NaN
    draws = ar.impute(holes, n_imputations=3, random_state=tour.config.seed)  # 3 x (8, 8, 8)
    strip = np.concatenate([originals, holes, *draws])  # rows: truth, masked, 3 completions
    caption = (
        "Inpainting: rows are test digits, their top halves (bottom in red), and 3 "
        "completions drawn from p(bottom | top)"
    )
    return tour.grid(
        strip,
        "condition-inpainting",
        caption,
        title="Image → image: inpainting",
        per_row=len(originals),
    )


def _inpainting_errors(tour: Tour, ar: Any) -> list[list[Any]]:
    """RMSE of the bottom halves of every test digit: the training mean image vs E[bottom | top]."""
    from genlab.data.masks import apply_mask, bottom_half

    train, test = tour.data("digits")
    mask = bottom_half(test.X.shape)
    filled = ar.impute(apply_mask(test.X, mask), method="mean", random_state=tour.config.seed)
    mean_image = np.broadcast_to(np.asarray(train.X, float).mean(0), test.X.shape)
    truth = np.asarray(test.X, dtype=float)
    return [
        ["training mean image", rmse(mean_image, truth, mask)],
        ["AutoregressiveModel, E[bottom | top]", rmse(filled, truth, mask)],
    ]
