"""KDE's probabilities are normalised over categorical levels, and its kernel sums stay exact
on data far from the origin (where ``|q|^2 + |mu|^2 - 2 q.mu`` without centring loses digits)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import logsumexp

import genlab
from genlab.models.kde.kernels import log_gaussian_tied


def _table(n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue", "grey"], size=n),
            "size": rng.choice(["s", "m", "l"], size=n),
        }
    )


def test_probabilities_over_the_categorical_levels_sum_to_one():
    df = _table()
    kde = genlab.KDE(bandwidth=0.4).fit(df)
    assert (kde.smoothing_ > 0).all()  # otherwise the kernel's off-level mass is not exercised
    levels = list(itertools.product(["red", "green", "blue", "grey"], ["s", "m", "l"]))
    for x in (-1.3, 0.0, 0.7):
        grid = pd.DataFrame(
            {
                "x": [x] * len(levels),
                "colour": [c for c, _ in levels],
                "size": [s for _, s in levels],
            }
        )
        joint = logsumexp(kde.log_prob(grid))  # log sum_c p(x, c)
        marginal = kde.log_prob(pd.DataFrame({"x": [x], "colour": [np.nan], "size": [np.nan]}))
        assert joint == pytest.approx(marginal[0], abs=1e-10)
    # categorical part alone: a probability table
    only = genlab.KDE().fit(df[["colour", "size"]])
    grid = pd.DataFrame({"colour": [c for c, _ in levels], "size": [s for _, s in levels]})
    assert math.exp(logsumexp(only.log_prob(grid))) == pytest.approx(1.0, abs=1e-12)


def _reference(queries: np.ndarray, means: np.ndarray, h: float) -> np.ndarray:
    """Float64 log mixture density from direct differences q - mu (no expanded square)."""
    d2 = ((queries[:, None, :] - means[None, :, :]) ** 2).sum(-1)  # (M, K)
    d = means.shape[1]
    const = -math.log(len(means)) - 0.5 * d * math.log(2 * math.pi * h * h)
    return logsumexp(-d2 / (2 * h * h), axis=1) + const


# Whitening rounds each coordinate, offset / h in kernel units, to ~1e-16 of itself: at 1e5 that
# alone moves the log density by ~5e-11 (observed relative error 6.5e-12; 1e-13 at 1e3).
# Without centring the errors are 1.2e-9 (1e3) and 1.4e-5 (1e5).
@pytest.mark.parametrize(("offset", "rtol"), [(1e3, 1e-12), (1e5, 1e-10)])
def test_kernel_sums_are_exact_far_from_the_origin(offset, rtol):
    rng = np.random.default_rng(1)
    means = rng.normal(size=(400, 3)) + offset
    queries = rng.normal(size=(50, 3)) + offset
    want = _reference(queries, means, 0.3)
    got = log_gaussian_tied(queries, means, 0.3)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=0)
    # the same through the estimator (fixed bandwidth: the kernel is 0.3^2 I)
    kde = genlab.KDE(bandwidth=0.3).fit(means)
    np.testing.assert_allclose(kde.log_prob(queries), want, rtol=rtol, atol=0)
