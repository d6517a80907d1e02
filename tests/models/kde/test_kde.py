"""genlab.KDE beyond the shared contract (tests/models/test_contract.py): which kernels a draw
may come from."""

from __future__ import annotations

import numpy as np
import pytest

import genlab


class _EdgeUniforms(np.random.Generator):
    """A generator whose uniforms all sit at one edge of [0, 1): where the choice of a kernel
    by inverting the cumulative weights could pick a kernel of weight zero."""

    def __init__(self, edge: float) -> None:
        super().__init__(np.random.PCG64(0))
        self.edge = edge

    def random(self, size=None, dtype=np.float64, out=None):
        return np.full(size, self.edge)


@pytest.mark.parametrize("edge", [0.0, np.nextafter(1.0, 0.0)])
def test_impute_never_draws_from_a_kernel_of_weight_zero(edge):
    # The first and last kernels sit 1000 bandwidths from the query: their weight underflows
    # to exactly 0, so the imputed entry must come from the middle kernel (second column 0).
    X = np.array([[1000.0, 5.0], [0.0, 0.0], [-1000.0, -5.0]])
    kde = genlab.KDE(bandwidth=0.01).fit(X)
    filled = kde.impute(np.array([[0.0, np.nan]] * 4), random_state=_EdgeUniforms(edge))
    assert np.abs(filled[:, 1]).max() < 0.1


def test_a_class_conditional_kde_samples_the_kernels_of_its_class():
    X = np.concatenate([np.zeros((20, 1)), np.full((20, 1), 100.0)])
    kde = genlab.KDE(bandwidth=1.0).fit(X, np.repeat(["a", "b"], 20))
    drawn = kde.sample(200, condition="b", random_state=0)
    assert np.abs(drawn - 100.0).max() < 10
    filled = kde.impute(np.full((50, 1), np.nan), condition="a", random_state=0)
    assert np.abs(filled).max() < 10
