"""The GAN section of the tour: a class-conditional sample grid, interpolation strips between
two latent codes, and the mode-coverage check (the class histogram of an unconditional GAN's
samples through the fixed digits classifier, as in the ``digits-sample`` suite)."""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.report.html import Figure, Section, Table
from genlab.tour.context import Tour, settings_note

PER_CLASS = 10  # samples in each row of the class grid
PATH_CLASSES = (0, 2, 5, 8)  # one interpolation strip each
N_UNCONDITIONAL = 360  # unconditional samples classified for the mode-coverage check

TEXT = (
    "A GAN trains a generator that maps Gaussian noise z to a digit against a discriminator "
    "that tells generated digits from real ones (non-saturating loss, R1 penalty on real "
    "digits). It has no likelihood and no encoder: it can only sample and decode codes z, "
    "so an interpolation walks between two codes (here those of seeds 0 and 1), not between "
    "two examples. Its typical failure is mode collapse: the generator covers some kinds of "
    "digit and drops others, which no loss value shows. The check: a GAN fitted without "
    "labels draws digits, the fixed digits classifier of the digits-sample benchmark names "
    "each, and the histogram should be about flat. A class-conditional GAN cannot be "
    "checked this way (it has no 'no class' input), so the histogram is of a second GAN "
    "fitted without the labels."
)
CODE = (
    "gan = genlab.GAN().fit(train, train.y)             # labels: class-conditional\n"
    "gan.sample(10, condition=7)\n"
    "gan.interpolate(0, 1, steps=8, condition=5)        # between the codes of seeds 0 and 1\n"
    "free = genlab.GAN().fit(train)                      # no labels: for mode coverage\n"
    "class_histogram(free.sample(360), digits_classifier())  # genlab.bench.suites.digits_sample"
)


def section_gan(tour: Tour) -> Section:
    """8. GAN: class-conditional samples, interpolation, the mode-coverage histogram."""
    by_class = tour.model("digits-gan-classes")
    free = tour.model("digits-gan")
    figure, histogram, summary = _mode_coverage(tour, free)
    return Section(
        "gan",
        "8. GAN: a generator against a discriminator",
        TEXT,
        code=CODE,
        figures=[_class_rows(tour, by_class), _interpolation(tour, by_class), figure],
        tables=[summary, histogram],
        notes=[
            settings_note(by_class) + ", fitted with the labels",
            settings_note(free) + ", fitted without labels (the histogram)",
        ],
    )


def _class_rows(tour: Tour, gan: Any) -> Figure:
    """Ten samples of every class of the class-conditional GAN, one row per class."""
    from genlab.jobs.condition import samples_per_class

    samples, labels = samples_per_class(gan, PER_CLASS, random_state=tour.config.seed)
    return tour.grid(
        samples,
        "gan-classes",
        "Samples of the class-conditional GAN, one row per class",
        labels=labels,
        title="GAN: x = G(z, class)",
    )


def _interpolation(tour: Tour, gan: Any) -> Figure:
    """For a few classes, the decoded slerp path between the codes of seeds 0 and 1."""
    from genlab.report.figures import interpolation_figure

    seed = tour.config.seed
    strips = np.stack(
        [gan.interpolate(seed, seed + 1, steps=8, condition=c) for c in PATH_CLASSES]
    )  # (classes, 8, 8, 8)
    fig = interpolation_figure(
        strips,
        row_names=[f"class {c}" for c in PATH_CLASSES],
        title="GAN: decoded points on the slerp path between two codes",
    )
    fig.axes[0].set_xlabel(f"t (0 = the code of seed {seed}, 1 = that of seed {seed + 1})")
    fig.axes[0].set_ylabel("condition")
    return tour.figure(fig, "gan-interpolation", "Interpolation between two latent codes")


def _mode_coverage(tour: Tour, gan: Any) -> tuple[Figure, Table, Table]:
    """The class histogram of unconditional samples beside that of the test digits, as a
    figure, a table per class and the two scalars of ``digits-sample``."""
    from genlab.bench.suites.digits_sample import COVERED_SHARE, class_histogram, coverage_scores
    from genlab.metrics.samples import digits_classifier

    _, test = tour.data("digits")
    clf = digits_classifier()
    samples = gan.sample(N_UNCONDITIONAL, random_state=tour.config.seed)
    counts = {
        "GAN fitted without labels": class_histogram(samples, clf),
        "test digits": class_histogram(test.X, clf),
    }
    shares = {k: v / v.sum() for k, v in counts.items()}
    scores = {k: coverage_scores(v) for k, v in counts.items()}
    figure = tour.figure(
        _histogram_figure(shares, COVERED_SHARE),
        "gan-mode-coverage",
        "Mode coverage: the classifier's classes of the GAN's unconditional samples",
    )
    summary = Table(
        ["digits", "classes with >= 2% (of 10)", "entropy / log 10 (1 = flat)"],
        [[k, s["mode_coverage"], s["class_entropy"]] for k, s in scores.items()],
        title=f"Mode coverage of {N_UNCONDITIONAL} unconditional GAN samples",
        note="Both histograms are the fixed digits classifier's calls (test accuracy "
        f"{clf.test_accuracy:.3f}).",
    )
    histogram = Table(
        ["class", *counts],
        [[c, *(round(float(s[c]), 3) for s in shares.values())] for c in range(10)],
        title="Share of each class",
    )
    return figure, histogram, summary


def _histogram_figure(shares: dict[str, np.ndarray], covered: float) -> Any:
    """Side-by-side bars of class shares, the coverage threshold as a dashed line."""
    from genlab.report.charts import BASELINE_COLOUR, GENLAB_COLOUR, new_figure

    fig = new_figure(6.0, 3.2)
    ax = fig.subplots()
    x, width = np.arange(10), 0.4
    for k, (name, share) in enumerate(shares.items()):
        colour = GENLAB_COLOUR if k == 0 else BASELINE_COLOUR
        ax.bar(x + (k - 0.5) * width, share, width, label=name, color=colour)
    ax.axhline(covered, color="tab:red", linestyle="--", label=f"{covered:.0%}: covered")
    ax.axhline(0.1, color="0.3", linestyle=":", linewidth=0.8, label="flat: 10%")
    ax.set_xticks(x, [str(c) for c in x])
    ax.set_xlabel("class the digits classifier gives")
    ax.set_ylabel("share of the digits")
    ax.set_title("Mode coverage: which digits the GAN draws")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
