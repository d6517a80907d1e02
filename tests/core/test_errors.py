"""genlab's warnings name the user's line, however deep in genlab they were raised."""

from __future__ import annotations

import warnings

import numpy as np

import genlab


def test_warnings_point_at_the_callers_line():
    X = genlab.load_dataset("wine").X.to_numpy()[:, :4].copy()
    X[::4, 1] = np.nan
    model = genlab.GaussianMixture(n_components=2, max_iter=1)  # EM stops early
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X)
        genlab.impute(model, X, method="mean", bootstrap=2, random_state=0)
    assert [w.filename for w in caught] == [__file__, __file__]
    assert "did not converge" in str(caught[0].message)
    assert "2x over 2 bootstrap refits" in str(caught[1].message)
