"""``synthetic-density``'s figures: contours of each genlab model beside the true density."""

from __future__ import annotations

import genlab
from genlab.bench.suites import synthetic_density


def test_contours_of_every_fitted_genlab_model(tmp_path):
    ds = genlab.load_dataset("eight_gaussians")
    fitted = {
        "genlab.KDE": genlab.KDE().fit(ds.X[:300]),
        "genlab.GaussianMixture": genlab.GaussianMixture(n_components=8).fit(ds.X[:300]),
    }
    synthetic_density.save_contours(ds, fitted, tmp_path)
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert names == [
        "contours_eight_gaussians_gaussianmixture.png",
        "contours_eight_gaussians_kde.png",
    ]
