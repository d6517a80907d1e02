"""Figures: each returns a labelled matplotlib Figure and saves to a readable PNG."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import genlab
from genlab.report.figures import (
    density_contours_figure,
    imputation_calibration_figure,
    interpolation_figure,
    latent_map_figure,
    sample_grid_figure,
    save_figure,
)


def _labelled(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert ax.get_xlabel() and ax.get_ylabel()
    titles = [ax.get_title() for ax in fig.axes] + [
        fig._suptitle.get_text() if fig._suptitle else ""
    ]
    assert any(titles)


def test_sample_grid_has_one_row_per_class(tmp_path):
    images = np.random.default_rng(0).integers(0, 17, size=(12, 8, 8))
    labels = np.array([0] * 5 + [1] * 4 + [2] * 3)
    fig = sample_grid_figure(images, labels, title="3 classes")
    _labelled(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2"]
    assert len(ax.get_xticks()) == 5  # the largest class sets the row length
    path = save_figure(fig, tmp_path / "grid.png")
    assert Image.open(path).size[0] > 100
    with pytest.raises(genlab.InputError, match="labels"):
        sample_grid_figure(images, labels[:3])


def test_interpolation_strips_and_latent_map(tmp_path):
    strips = np.random.default_rng(0).integers(0, 17, size=(2, 6, 8, 8))
    fig = interpolation_figure(strips, row_names=["0 → 1", "2 → 3"])
    _labelled(fig)
    assert len(fig.axes[0].get_xticks()) == 6
    save_figure(fig, tmp_path / "strip.png")
    Z = np.random.default_rng(0).normal(size=(50, 5))
    fig = latent_map_figure(Z, np.arange(50) % 3, title="codes")
    _labelled(fig)
    assert fig.axes[0].get_xlabel() == "PC1 of z"  # wider codes are projected, and say so
    with pytest.raises(genlab.InputError, match="d >= 2"):
        latent_map_figure(np.zeros((4, 1)))


def test_density_contours_show_model_and_truth(tmp_path):
    ds = genlab.load_dataset("eight_gaussians")
    gmm = genlab.GaussianMixture(n_components=8, random_state=0).fit(ds)
    fig = density_contours_figure(gmm, ds, n_samples=200, grid_size=40)
    _labelled(fig)
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == 2  # the synthetic set knows its density
    save_figure(fig, tmp_path / "contours.png")
    iris = genlab.load_dataset("iris")
    with pytest.raises(genlab.InputError, match="2-D"):
        density_contours_figure(genlab.KDE().fit(iris), iris)


def test_imputation_calibration():
    levels = np.array([0.5, 0.8, 0.95])
    fig = imputation_calibration_figure(levels, {"genlab.GaussianMixture": [0.5, 0.79, 0.94]})
    _labelled(fig)
    with pytest.raises(genlab.InputError, match="coverages"):
        imputation_calibration_figure(levels, [0.5])
