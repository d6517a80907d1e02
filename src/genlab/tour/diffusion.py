"""The diffusion section of the tour: the denoising trajectory of one digit
(:meth:`genlab.Diffusion.trajectory`), one row of guided samples per class, inpainting by
RePaint resampling (observed pixels checked unchanged) and super-resolution from the 4x4
average-pooled digit."""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.metrics import rmse
from genlab.report.html import Figure, Section, Table
from genlab.tour.context import Tour, settings_note

PER_CLASS = 10  # samples in each row of the class grid
FRAMES = 11  # states of the reverse pass shown in the trajectory strip, noise first
TRAJECTORY_CLASS = 3  # the digit whose trajectory is drawn
N_EXAMPLES = 8  # test digits in the inpainting and super-resolution strips

TEXT = (
    "A diffusion model learns to undo noise: it is trained to predict the Gaussian noise "
    "added to a digit at a random step of a fixed noising schedule, and samples by starting "
    "from pure noise and removing the predicted noise step by step (DDIM steps, "
    "deterministic). The strip shows one digit emerging. Fitted with labels, with each label "
    "dropped at random in training, the model predicts the noise with and without the class; "
    "classifier-free guidance pushes each step away from the unconditional prediction, "
    "towards the class (one row per class). Inpainting keeps the observed pixels at every "
    "step (a noised copy of them, RePaint) and lets the model fill the rest. "
    "Super-resolution is a second model that reads a 4x4 image as extra input channels; "
    "every predicted clean image is projected onto the 8x8 images whose 2x2 block averages "
    "are that 4x4 image, so each sample pools back to its condition exactly."
)
CODE = (
    "m = genlab.Diffusion().fit(train, train.y)          # labels: class-conditional\n"
    "m.trajectory(1, condition=3)                         # noise -> a 3, step by step\n"
    "m.sample(10, condition=7)                            # guidance=1.0 by default\n"
    "m.impute(apply_mask(X, bottom_half(X.shape)))        # top halves come back unchanged\n"
    "small = X.reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4))  # 4x4 average-pooled\n"
    "sr = genlab.Diffusion(guidance=0.0, eta=1.0).fit(train.X, condition=Condition.image(small))\n"
    "sr.sample(len(small), condition=small)               # 8x8 digits that pool to small"
)


def section_diffusion(tour: Tour) -> Section:
    """7. diffusion: a denoising trajectory, guided class rows, inpainting, super-resolution."""
    model = tour.model("digits-diffusion-classes")
    sr = tour.model("digits-diffusion-superres")
    parts = [_trajectory(tour, model), _class_rows(tour, model), _inpainting(tour, model)]
    parts.append(_superres(tour, sr))
    return Section(
        "diffusion",
        "7. Diffusion: from noise to a digit, step by step",
        TEXT,
        code=CODE,
        figures=[figure for figure, _ in parts],
        tables=[
            Table(
                ["picture", "settings", "measured"],
                [row for _, row in parts],
                title="What each picture shows, how it was made and what was measured",
            )
        ],
        notes=[
            settings_note(model) + ", fitted with the labels",
            settings_note(sr) + ", fitted with the 4x4 pooled training digits as conditions",
        ],
    )


def _trajectory(tour: Tour, model: Any) -> tuple[Figure, list[Any]]:
    """One digit's reverse pass: ``FRAMES`` states from the noise to the sample."""
    states = model.trajectory(1, condition=TRAJECTORY_CLASS, random_state=tour.config.seed)
    shown = np.unique(np.linspace(0, len(states) - 1, FRAMES).round().astype(int))
    figure = _strip_figure(
        tour,
        np.concatenate([states[i] for i in shown]),
        "diffusion-trajectory",
        f"The reverse pass of one {TRAJECTORY_CLASS}: pure noise (left) to the sample (right)",
        f"Denoising a {TRAJECTORY_CLASS}: the state after each DDIM step",
        ticks=[str(i) for i in shown],
        xlabel=f"DDIM steps done (of {len(states) - 1})",
    )
    row = [
        "trajectory",
        f"class {TRAJECTORY_CLASS}, steps={model.steps} (DDIM, eta={model.eta:g}), "
        f"guidance={model.guidance:g}; {len(shown)} of the {len(states)} states shown",
        f"{len(states) - 1} steps from noise to digit",
    ]
    return figure, row


def _class_rows(tour: Tour, model: Any) -> tuple[Figure, list[Any]]:
    """Ten guided samples of every class, and how many the fixed digits classifier agrees on."""
    from genlab.jobs.condition import samples_per_class
    from genlab.metrics.samples import conditional_accuracy, digits_classifier

    samples, labels = samples_per_class(model, PER_CLASS, random_state=tour.config.seed)
    accuracy = conditional_accuracy(samples, labels, digits_classifier())
    figure = tour.grid(
        samples,
        "diffusion-classes",
        "Guided samples of p(x | class), one row per class",
        labels=labels,
        title=f"Diffusion: x ~ p(x | class), guidance {model.guidance:g}",
    )
    row = [
        "guided class rows",
        f"guidance={model.guidance:g}, steps={model.steps}, {PER_CLASS} samples per class",
        f"{accuracy:.0%} of them classified as their class by the fixed digits classifier",
    ]
    return figure, row


def _inpainting(tour: Tour, model: Any) -> tuple[Figure, list[Any]]:
    """Bottom halves of test digits drawn given the top halves; the top halves checked."""
    from genlab.data.masks import apply_mask, bottom_half

    train, test = tour.data("digits")
    mask = bottom_half(test.X.shape)
    holes = apply_mask(test.X, mask)  # (N, 8, 8), bottom halves NaN
    seed = tour.config.seed
    draws = model.impute(holes[:N_EXAMPLES], n_imputations=2, random_state=seed)
    one = model.impute(holes, random_state=seed)  # every test digit, one draw
    top = ~mask  # the observed pixels
    shown_top = top[:N_EXAMPLES]
    kept = all(np.array_equal(d[shown_top], test.X[:N_EXAMPLES][shown_top]) for d in draws)
    kept = kept and np.array_equal(one[top], test.X[top])
    truth = np.asarray(test.X, dtype=float)
    # a draw is scored against a draw that ignores the top: a random training digit's bottom
    random_digits = train.X[np.random.default_rng(seed).integers(len(train.X), size=len(truth))]
    strip = np.concatenate([test.X[:N_EXAMPLES], holes[:N_EXAMPLES], *draws])
    figure = tour.grid(
        strip,
        "diffusion-inpainting",
        "Inpainting: test digits, their top halves (bottom in red), 2 completions",
        title="Diffusion: the bottom half given the top (RePaint)",
        per_row=N_EXAMPLES,
    )
    row = [
        "inpainting",
        f"no class given (the no-condition branch), steps={model.steps}, ancestral steps, "
        f"resample={model.resample}",
        f"observed top halves unchanged: {'yes' if kept else 'NO'}; RMSE of one drawn bottom "
        f"half {rmse(one, truth, mask):.2f} levels over {len(test)} test digits (the bottom "
        f"half of a random training digit: {rmse(random_digits, truth, mask):.2f})",
    ]
    return figure, row


def _superres(tour: Tour, sr: Any) -> tuple[Figure, list[Any]]:
    """8x8 digits drawn from their 4x4 average pooling; the pooling of each draw checked."""
    from genlab.bench.suites.digits_superres import bicubic, pool, pooled_match

    _, test = tour.data("digits")
    truth = np.asarray(test.X, dtype=float)
    small = pool(truth)  # (N, 4, 4)
    drawn = sr.sample(len(small), condition=small, random_state=tour.config.seed)
    second = sr.sample(N_EXAMPLES, condition=small[:N_EXAMPLES], random_state=tour.config.seed + 1)
    shown = np.repeat(np.repeat(small[:N_EXAMPLES], 2, axis=1), 2, axis=2)  # 4x4 as 8x8 blocks
    strip = np.concatenate([test.X[:N_EXAMPLES], shown, drawn[:N_EXAMPLES], second])
    figure = tour.grid(
        strip,
        "diffusion-superres",
        "Super-resolution: test digits, their 4x4 average pooling, 2 drawn 8x8 digits",
        title="Diffusion: 4x4 → 8x8 (image → image)",
        per_row=N_EXAMPLES,
    )
    row = [
        "super-resolution",
        f"condition = the 4x4 average-pooled digit; guidance={sr.guidance:g}, eta={sr.eta:g}, "
        f"steps={sr.steps}",
        f"{pooled_match(drawn, small):.0%} of {len(small)} samples pool back to their "
        f"condition; RMSE of one draw {rmse(drawn, truth):.2f} levels (PIL bicubic resize: "
        f"{rmse(bicubic(small, (8, 8), 16.0), truth):.2f})",
    ]
    return figure, row


def _strip_figure(
    tour: Tour, images: np.ndarray, name: str, caption: str, title: str, **axis: Any
) -> Figure:
    """One row of images whose x axis names what each column is (``ticks``, ``xlabel``)."""
    from genlab.report.figures import sample_grid_figure

    fig = sample_grid_figure(images, title=title, per_row=len(images))
    ax = fig.axes[0]
    ax.set_xticklabels(axis["ticks"], fontsize=6)
    ax.set_xlabel(axis["xlabel"])
    ax.set_yticks([])
    ax.set_ylabel("")
    return tour.figure(fig, name, caption)
