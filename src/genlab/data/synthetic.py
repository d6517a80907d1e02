"""Synthetic datasets that know their own exact density.

Each set is a :class:`SyntheticDensity`: it draws samples, evaluates the exact log-density of any
point (in nats, via ``logsumexp`` so far-away points give a large negative number, not ``-inf``),
and estimates its differential entropy by Monte Carlo. With the true density known, a model's
``log_prob`` can be compared against the best possible value: the cross-entropy of a model on
samples from ``p`` is never below ``p``'s entropy.

The Gaussian-mixture density is written here (a Cholesky solve plus ``logsumexp``) rather than
taken from ``scipy.stats`` because scipy has no mixture distribution and evaluating each
component through ``multivariate_normal`` refactorizes the covariance on every call.
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np
from scipy.linalg import solve_triangular
from scipy.special import logsumexp

from genlab.core.errors import InputError

__all__ = [
    "SYNTHETIC",
    "ConcentricRings",
    "EightGaussians",
    "GaussianMixture10D",
    "NestedGaussianMixture",
    "SyntheticDensity",
]

_LOG_2PI = math.log(2.0 * math.pi)


class SyntheticDensity:
    """A distribution with a sampler and an exact log-density.

    Subclasses set ``name`` and ``dim`` and implement ``_sample(n, rng)`` and ``_log_prob(X)``;
    this base class validates arguments and adds the Monte Carlo entropy.

    Example:
        >>> ds = EightGaussians()
        >>> X = ds.sample(5, random_state=0)
        >>> X.shape, ds.true_log_prob(X).shape
        ((5, 2), (5,))
    """

    name: str = ""
    dim: int = 0

    def sample(self, n: int, random_state: int | np.random.Generator | None = None) -> np.ndarray:
        """Draw ``n`` points.

        Args:
            n: Number of points, ``n >= 0``.
            random_state: Seed or ``numpy.random.Generator``; ``None`` for fresh entropy.

        Returns:
            Array of shape ``(n, dim)``, float64.
        """
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 0:
            raise InputError(f"n must be a non-negative integer, got {n!r}")
        rng = np.random.default_rng(random_state)
        return self._sample(int(n), rng).astype(np.float64, copy=False)

    def true_log_prob(self, X: np.ndarray) -> np.ndarray:
        """Exact log-density of each row of ``X``, in nats.

        Args:
            X: Array-like of shape ``(n, dim)`` with finite values.

        Returns:
            Array of shape ``(n,)``.
        """
        return self._log_prob(_as_points(X, self.dim))

    def entropy(self, n: int = 100_000, random_state: int | None = 0) -> tuple[float, float]:
        """Monte Carlo estimate of the differential entropy ``-E[log p(x)]`` in nats.

        Args:
            n: Number of samples, at least 2.
            random_state: Seed of the samples.

        Returns:
            ``(estimate, standard_error)`` where the standard error is ``std / sqrt(n)``.
        """
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 2:
            raise InputError(f"n must be an integer >= 2, got {n!r}")
        neg_log_p = -self.true_log_prob(self.sample(n, random_state=random_state))
        return float(neg_log_p.mean()), float(neg_log_p.std(ddof=1) / math.sqrt(n))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim})"

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _log_prob(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class _GaussianMixture(SyntheticDensity):
    """Mixture of full-covariance Gaussians given by weights, means and Cholesky factors."""

    def __init__(self, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray) -> None:
        self.weights = np.asarray(weights, dtype=np.float64)  # (K,)
        self.means = np.asarray(means, dtype=np.float64)  # (K, D)
        self.covariances = np.asarray(covariances, dtype=np.float64)  # (K, D, D)
        self.dim = self.means.shape[1]
        self._cholesky = np.linalg.cholesky(self.covariances)  # (K, D, D), lower

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        component = rng.choice(len(self.weights), size=n, p=self.weights)  # (n,)
        noise = rng.standard_normal((n, self.dim))  # (n, D)
        return self.means[component] + np.einsum("nij,nj->ni", self._cholesky[component], noise)

    def _log_prob(self, X: np.ndarray) -> np.ndarray:
        per_component = np.stack(
            [
                _gaussian_log_prob(X, mean, chol)
                for mean, chol in zip(self.means, self._cholesky, strict=True)
            ],
            axis=1,
        )  # (n, K)
        return logsumexp(per_component + np.log(self.weights), axis=1)


class EightGaussians(_GaussianMixture):
    """Eight equally weighted isotropic Gaussians on a circle, the classic 2-D toy set.

    Centers sit at ``radius * (cos(2*pi*k/8), sin(2*pi*k/8))`` for ``k = 0..7``.

    Args:
        radius: Radius of the circle of centers.
        std: Standard deviation of each Gaussian (same on both axes).

    Example:
        >>> ds = EightGaussians()
        >>> ds.name, ds.dim
        ('eight_gaussians', 2)
        >>> round(float(ds.true_log_prob([[2.0, 0.0]])[0]), 3)  # log(N(0; 0.04 I) / 8)
        -0.698
    """

    name = "eight_gaussians"

    def __init__(self, *, radius: float = 2.0, std: float = 0.2) -> None:
        if not radius > 0 or not std > 0:
            raise InputError(f"radius and std must be positive, got radius={radius}, std={std}")
        self.radius = float(radius)
        self.std = float(std)
        angles = 2.0 * np.pi * np.arange(8) / 8
        means = self.radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (8, 2)
        covariances = np.broadcast_to(self.std**2 * np.eye(2), (8, 2, 2))
        super().__init__(np.full(8, 1.0 / 8), means, covariances)


class ConcentricRings(SyntheticDensity):
    """Points on concentric circles with Gaussian noise along the radius.

    A point is ``x = r * (cos(theta), sin(theta))`` with ``theta ~ U(0, 2*pi)``, a ring ``k``
    chosen with equal weights, and ``r = R_k + noise * eps``, ``eps ~ N(0, 1)``. Equal weights
    (not weights proportional to the radius) keep each ring's share of the samples the same,
    so inner rings look denser. A negative ``r`` lands on the opposite side of the circle, so
    ``|x|`` follows a folded normal and, in the plane,

    ``p(x) = sum_k w_k [N(|x|; R_k, s) + N(-|x|; R_k, s)] / (2 pi |x|)``.

    The density is infinite at the origin (the ``1/|x|`` term is integrable), where
    ``true_log_prob`` returns ``+inf``.

    Args:
        radii: Ring radii, each positive.
        noise: Radial standard deviation ``s``.

    Example:
        >>> ds = ConcentricRings()
        >>> ds.radii, ds.noise
        ((1.0, 2.0, 3.0), 0.1)
        >>> bool(ds.true_log_prob([[2.0, 0.0]])[0] > ds.true_log_prob([[1.5, 0.0]])[0])
        True
    """

    name = "concentric_rings"
    dim = 2

    def __init__(self, *, radii: tuple[float, ...] = (1.0, 2.0, 3.0), noise: float = 0.1) -> None:
        radii = tuple(float(r) for r in radii)
        if not radii or min(radii) <= 0:
            raise InputError(f"radii must be a non-empty sequence of positive numbers, got {radii}")
        if not noise > 0:
            raise InputError(f"noise must be positive, got {noise}")
        self.radii = radii
        self.noise = float(noise)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        ring = rng.integers(len(self.radii), size=n)  # (n,)
        radius = np.asarray(self.radii)[ring] + self.noise * rng.standard_normal(n)
        theta = rng.uniform(0.0, 2.0 * np.pi, size=n)
        return radius[:, None] * np.stack([np.cos(theta), np.sin(theta)], axis=1)

    def _log_prob(self, X: np.ndarray) -> np.ndarray:
        rho = np.linalg.norm(X, axis=1)[:, None]  # (n, 1)
        centers = np.asarray(self.radii)[None, :]  # (1, K)
        # Both signs of r that reach radius |x|: r = +|x| and r = -|x| (the folded normal).
        z = np.concatenate([rho - centers, -rho - centers], axis=1) / self.noise  # (n, 2K)
        log_normal = -0.5 * z**2 - math.log(self.noise) - 0.5 * _LOG_2PI
        log_radial = logsumexp(log_normal, axis=1) - math.log(len(self.radii))  # (n,)
        with np.errstate(divide="ignore"):  # |x| = 0 gives log p = +inf, which is the truth
            return log_radial - _LOG_2PI - np.log(rho[:, 0])


class GaussianMixture10D(_GaussianMixture):
    """A 10-D mixture of 4 Gaussians with unequal weights and full, well-conditioned covariances.

    Parameters come from a fixed seed, so every instance is the same distribution: weights
    ``(0.4, 0.3, 0.2, 0.1)``, means ``~ N(0, 1.5^2 I)``, covariances ``Q diag(lambda) Q^T`` with a
    random rotation ``Q`` and eigenvalues ``lambda`` in ``[0.25, 1.5]`` (condition number <= 6).

    Example:
        >>> ds = GaussianMixture10D()
        >>> ds.name, ds.dim, ds.weights.tolist()
        ('gmm10d', 10, [0.4, 0.3, 0.2, 0.1])
        >>> ds.sample(3, random_state=0).shape
        (3, 10)
    """

    name = "gmm10d"
    _SEED = 20240610

    def __init__(self) -> None:
        rng = np.random.default_rng(self._SEED)
        dim, n_components = 10, 4
        means = 1.5 * rng.standard_normal((n_components, dim))
        covariances = np.stack([_random_covariance(dim, rng) for _ in range(n_components)])
        super().__init__(np.array([0.4, 0.3, 0.2, 0.1]), means, covariances)


class NestedGaussianMixture(_GaussianMixture):
    """A 4-component Gaussian mixture in ``dim`` dimensions, the same family for every ``dim``.

    One fixed 32-D mixture (seeded: equal weights, means ``~ N(0, I)``, covariances
    ``Q diag(lambda) Q^T`` with eigenvalues ``lambda`` in ``[0.1, 0.4]``) and its marginal on
    the first ``dim`` coordinates (means and covariance sub-blocks), so the ``dim``-D set is
    the lower-dimensional view of the 32-D one. The sub-blocks' eigenvalues stay in
    ``[0.1, 0.4]`` (interlacing), so the entropy per dimension stays between
    ``0.5 log(2 pi e 0.1) ~ 0.27`` and ``0.5 log(2 pi e 0.4) + log(4) / dim``: comparable
    across ``dim``, which is what lets ``curse-of-dimensionality`` compare gaps per dimension.

    Args:
        dim: Number of dimensions, 1 to 32.

    Example:
        >>> ds = NestedGaussianMixture(8)
        >>> ds.name, ds.dim, ds.sample(3, random_state=0).shape
        ('nested_gmm_d8', 8, (3, 8))
        >>> bool(np.allclose(ds.means, NestedGaussianMixture(32).means[:, :8]))
        True
    """

    MAX_DIM = 32
    _SEED = 20240611

    def __init__(self, dim: int) -> None:
        if isinstance(dim, bool) or not isinstance(dim, Integral) or not 1 <= dim <= self.MAX_DIM:
            raise InputError(f"dim must be an integer in 1..{self.MAX_DIM}, got {dim!r}")
        d, full, n_components = int(dim), self.MAX_DIM, 4
        self.name = f"nested_gmm_d{d}"
        # Drawn in 32-D whatever dim is, so every dim gets the same mixture's marginal.
        rng = np.random.default_rng(self._SEED)
        means = rng.standard_normal((n_components, full))
        covariances = np.stack(
            [_random_covariance(full, rng, (0.1, 0.4)) for _ in range(n_components)]
        )
        super().__init__(np.full(n_components, 0.25), means[:, :d], covariances[:, :d, :d])


SYNTHETIC: dict[str, type[SyntheticDensity]] = {
    "eight_gaussians": EightGaussians,
    "concentric_rings": ConcentricRings,
    "gmm10d": GaussianMixture10D,
}


def _random_covariance(
    dim: int, rng: np.random.Generator, eigen_range: tuple[float, float] = (0.25, 1.5)
) -> np.ndarray:
    """``Q diag(lambda) Q^T`` with ``Q`` a random rotation and eigenvalues in ``eigen_range``."""
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    q = q * np.sign(np.diag(r))  # sign fix makes Q Haar-distributed
    eigenvalues = rng.uniform(*eigen_range, size=dim)
    return (q * eigenvalues) @ q.T


def _gaussian_log_prob(X: np.ndarray, mean: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """Log-density of ``N(mean, chol @ chol.T)`` at each row of ``X`` (n, D) -> (n,)."""
    whitened = solve_triangular(chol, (X - mean).T, lower=True)  # (D, n)
    log_det = 2.0 * np.log(np.diag(chol)).sum()
    return -0.5 * (np.sum(whitened**2, axis=0) + log_det + X.shape[1] * _LOG_2PI)


def _as_points(X: np.ndarray, dim: int) -> np.ndarray:
    """Validate ``X`` as finite float64 points of shape (n, dim)."""
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputError(f"X must be numeric of shape (n, {dim}): {error}") from error
    if X.ndim != 2 or X.shape[1] != dim:
        raise InputError(f"X must have shape (n, {dim}), got {X.shape}")
    bad_rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
    if bad_rows.size:
        raise InputError(f"X row {bad_rows[0]} has a non-finite value")
    return X
