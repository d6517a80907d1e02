"""``synthetic-density``'s figures: contours of each genlab model beside the true density."""

from __future__ import annotations

import genlab
from genlab.bench.suites import synthetic_density, tabular_density


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


def test_quick_run_scores_tabular_densitys_methods_with_their_gaps(monkeypatch, tmp_path):
    # The synthetic suite's methods are tabular-density's (new rows included); a cheap stand-in
    # for each fit keeps this about the rows and figures, not the models.
    names = list(tabular_density.methods(quick=True))
    assert {"genlab.KDE (default)", "genlab.Auto"} <= set(names)

    def cheap(quick: bool = False) -> dict:
        return {m: lambda X: genlab.GaussianMixture(n_components=8).fit(X).log_prob for m in names}

    monkeypatch.setattr(tabular_density, "methods", cheap)
    rows = synthetic_density.run(quick=True, out=tmp_path)
    gaps = [r.method for r in rows if r.metric == "gap_nats"]
    assert gaps == names and {r.dataset for r in rows} == {"eight_gaussians"}
    figures = sorted(p.name for p in (tmp_path / "figures").glob("*.png"))
    assert "contours_eight_gaussians_kde-default.png" in figures
    assert "contours_eight_gaussians_auto.png" in figures
