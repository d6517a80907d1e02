"""Synthetic sets: samplers, exact densities (integrate to 1, agree with scipy), entropy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from genlab.core.errors import InputError
from genlab.data.synthetic import (
    SYNTHETIC,
    ConcentricRings,
    EightGaussians,
    GaussianMixture10D,
    SyntheticDensity,
)

ALL = sorted(SYNTHETIC)


def _grid(half_width: float, step: float) -> tuple[np.ndarray, float]:
    """Cell midpoints of a square grid (never the origin itself) and the cell area."""
    ticks = np.arange(-half_width + step / 2, half_width, step)
    xx, yy = np.meshgrid(ticks, ticks)
    return np.stack([xx.ravel(), yy.ravel()], axis=1), step**2


@pytest.mark.parametrize("key", ALL)
def test_registry_names_and_sample_shape(key):
    density = SYNTHETIC[key]()
    assert isinstance(density, SyntheticDensity)
    assert density.name == key
    X = density.sample(50, random_state=0)
    assert X.shape == (50, density.dim)
    assert X.dtype == np.float64
    assert density.sample(0).shape == (0, density.dim)


@pytest.mark.parametrize("key", ALL)
def test_sample_is_reproducible(key):
    density = SYNTHETIC[key]()
    a = density.sample(20, random_state=3)
    np.testing.assert_array_equal(a, density.sample(20, random_state=3))
    np.testing.assert_array_equal(a, density.sample(20, random_state=np.random.default_rng(3)))
    assert not np.array_equal(a, density.sample(20, random_state=4))


@pytest.mark.parametrize("key", ALL)
def test_log_prob_is_finite_far_from_the_data(key):
    density = SYNTHETIC[key]()
    far = np.full((2, density.dim), 30.0)
    far[1] *= -1
    log_p = density.true_log_prob(far)
    assert log_p.shape == (2,)
    assert np.isfinite(log_p).all()
    assert (log_p < -100).all()


@pytest.mark.parametrize(
    ("density", "half_width"),
    [(EightGaussians(), 3.5), (ConcentricRings(), 3.8)],
    ids=["eight_gaussians", "concentric_rings"],
)
def test_2d_density_integrates_to_one_and_matches_sampler(density, half_width):
    points, area = _grid(half_width, 0.01)
    log_p = density.true_log_prob(points)
    p = np.exp(log_p)
    assert p.sum() * area == pytest.approx(1.0, abs=2e-3)
    # The entropy by quadrature agrees with the Monte Carlo one, so the sampler draws from
    # the same distribution the density describes.
    quadrature_entropy = -(p * log_p).sum() * area
    estimate, stderr = density.entropy(n=20_000, random_state=0)
    assert abs(estimate - quadrature_entropy) < 5 * stderr + 5e-3


def test_concentric_rings_radial_profile():
    rings = ConcentricRings(radii=(1.0, 2.0), noise=0.1)
    # On a ring, 1/(2 pi r) spreads the same radial mass over a longer circle.
    on_ring = rings.true_log_prob([[1.0, 0.0], [0.0, 2.0]])
    assert on_ring[0] - on_ring[1] == pytest.approx(np.log(2.0), abs=1e-6)
    assert rings.true_log_prob([[0.0, 0.0]])[0] == np.inf
    radius = np.linalg.norm(rings.sample(4000, random_state=0), axis=1)
    assert abs(np.mean(radius < 1.5) - 0.5) < 0.03  # equal ring weights


def test_eight_gaussians_value_at_a_center():
    density = EightGaussians()
    expected = np.log(1 / 8) + stats.multivariate_normal([0, 0], 0.04 * np.eye(2)).logpdf([0, 0])
    assert density.true_log_prob([[2.0, 0.0]])[0] == pytest.approx(expected, abs=1e-9)


def test_gmm10d_matches_scipy():
    density = GaussianMixture10D()
    X = np.concatenate(
        [density.sample(200, random_state=1), 3 * density.sample(20, random_state=2)]
    )
    per_component = np.stack(
        [
            stats.multivariate_normal(mean, cov).logpdf(X)
            for mean, cov in zip(density.means, density.covariances, strict=True)
        ],
        axis=1,
    )
    expected = logsumexp(per_component + np.log(density.weights), axis=1)
    np.testing.assert_allclose(density.true_log_prob(X), expected, rtol=1e-10, atol=1e-10)


def test_gmm10d_is_fixed_and_well_conditioned():
    a, b = GaussianMixture10D(), GaussianMixture10D()
    np.testing.assert_array_equal(a.means, b.means)
    np.testing.assert_array_equal(a.covariances, b.covariances)
    assert a.weights.sum() == pytest.approx(1.0)
    assert len(set(a.weights.tolist())) == len(a.weights)
    np.testing.assert_allclose(a.covariances, a.covariances.transpose(0, 2, 1))
    assert (np.linalg.cond(a.covariances) < 10).all()
    assert not np.allclose(a.covariances[0], a.covariances[1])


@pytest.mark.parametrize("key", ALL)
def test_entropy_has_positive_stderr_and_matches_fresh_samples(key):
    density = SYNTHETIC[key]()
    estimate, stderr = density.entropy(n=20_000, random_state=0)
    assert stderr > 0
    fresh = -density.true_log_prob(density.sample(20_000, random_state=1)).mean()
    assert abs(fresh - estimate) < 6 * stderr
    assert density.entropy(n=20_000, random_state=0) == (estimate, stderr)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.zeros((3, 3)), "shape"),
        (np.zeros(2), "shape"),
        ([[0.0, 0.0], [np.nan, 1.0]], "row 1"),
        ([["a", "b"]], "numeric"),
    ],
)
def test_true_log_prob_rejects_bad_input(X, message):
    with pytest.raises(InputError, match=message):
        EightGaussians().true_log_prob(X)


@pytest.mark.parametrize("n", [-1, 2.5, True])
def test_sample_rejects_bad_n(n):
    with pytest.raises(InputError, match="n must be"):
        EightGaussians().sample(n)


def test_constructors_reject_bad_parameters():
    with pytest.raises(InputError, match="std"):
        EightGaussians(std=0.0)
    with pytest.raises(InputError, match="radii"):
        ConcentricRings(radii=(1.0, -2.0))
    with pytest.raises(InputError, match="noise"):
        ConcentricRings(noise=0.0)
