"""The report's charts: what they draw, their labels, and their errors on bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from PIL import Image

from genlab.core.errors import InputError
from genlab.report import charts
from genlab.report.figures import save_figure


def test_roc_reports_the_area_and_rejects_one_class():
    labels = np.array([0, 0, 0, 1, 1, 1])
    perfect, reversed_ = np.arange(6.0), -np.arange(6.0)
    fig = charts.roc_figure({"good": (labels, perfect), "bad": (labels, reversed_)})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["good (AUROC 1.000)", "bad (AUROC 0.000)", "chance"]
    with pytest.raises(InputError, match="both normal"):
        charts.roc_figure({"x": (np.zeros(3), np.arange(3.0))})
    with pytest.raises(InputError):
        charts.roc_figure({})


def test_confusion_matrix_counts():
    fig = charts.confusion_matrix_figure([0, 0, 1, 2], [0, 1, 1, 2])
    ax = fig.axes[0]
    counts = np.array(ax.images[0].get_array())
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [0, 0, 1]])
    assert "75.0%" in ax.get_title()
    assert ax.get_xlabel() == "predicted class"


def test_model_comparison_marks_bounds_and_sorts():
    table = pd.DataFrame(
        {"bits_per_dim": [1.9, 2.5, 2.2], "bits_per_dim_se": [0.01, 0.02, 0.03]}
        | {"bound": [False, True, True]},
        index=["ar", "kde", "vae"],
    )
    ax = charts.model_comparison_figure(table).axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == ["kde (bound)", "vae (bound)", "ar (exact)"]  # best at the top
    widths = [p.get_width() for p in ax.patches]
    assert widths == [2.5, 2.2, 1.9]


def test_bits_per_pixel_orders_and_colours_genlab():
    fig = charts.bits_per_pixel_figure({"genlab AR": 1.9, "gzip-9": 3.1, "png": 4.0}, ideal=1.85)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["png", "gzip-9", "genlab AR"]
    colours = [p.get_facecolor() for p in ax.patches]
    assert colours[-1] == to_rgba(charts.GENLAB_COLOUR)
    assert colours[0] == to_rgba(charts.BASELINE_COLOUR)
    assert "1.85" in ax.get_legend().get_texts()[0].get_text()
    with pytest.raises(InputError):
        charts.bits_per_pixel_figure({})


def test_imputation_figure_draws_both_panels(tmp_path):
    fig = charts.imputation_figure({"mean": 1.0, "gmm": 0.6}, {"mean": 0.0, "gmm": 0.88})
    left, right = fig.axes
    assert [p.get_width() for p in left.patches] == [1.0, 0.6]
    assert [p.get_width() for p in right.patches] == [0.0, 0.88]
    assert right.lines[0].get_xdata()[0] == 0.9  # the target line
    path = save_figure(fig, tmp_path / "impute.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 300
