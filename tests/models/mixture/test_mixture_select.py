"""Tests of choosing the number of components (genlab/models/mixture/select.py)."""

from __future__ import annotations

import numpy as np
import pytest
from mixture_data import blobs, random_params

from genlab.models.mixture.select import bic, n_parameters, select_n_components


@pytest.mark.parametrize("prior", [False, True])
def test_bic_picks_the_right_number_of_components(prior):
    rng = np.random.default_rng(8)
    X, _ = blobs(rng, [[0, 0], [8, 0], [0, 8]], 80)
    params, loglik, scores = select_n_components(
        X, None, [], range(1, 6), random_state=0, prior=prior
    )
    assert params.n_components == 3 and sorted(scores) == [1, 2, 3, 4, 5]
    assert min(scores, key=scores.get) == 3
    assert scores[3] == pytest.approx(bic(params, loglik, len(X)))


def test_n_parameters_counts_free_parameters():
    params = random_params(np.random.default_rng(9), K=3, D=4, n_categories=(3, 5))
    assert n_parameters(params) == 2 + 3 * 4 + 3 * 10 + 3 * (2 + 4)
    params.covariance_type, params.covariances = "diag", np.ones((3, 4))
    assert n_parameters(params) == 2 + 3 * 4 + 3 * 4 + 3 * (2 + 4)
