"""``curse-of-dimensionality``: quick-mode rows, the true density's arithmetic, the KDE sweep."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import trapezoid
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

import genlab
from genlab.bench import SUITES
from genlab.bench.suites import curse_of_dimensionality as curse
from genlab.bench.suites.curse_kde import (
    Sweep,
    kde_log_prob,
    loo_factor,
    loo_log_likelihood,
    sweep_sizes,
    whitening,
)
from genlab.core.errors import InputError
from genlab.data.synthetic import NestedGaussianMixture


def test_quick_mode_gives_every_row_of_every_dimension_and_the_figure(tmp_path):
    assert SUITES["curse-of-dimensionality"] is curse.run
    rows = curse.run(quick=True, out=tmp_path)
    settings = curse.QUICK
    assert len(rows) == len(settings.dims) * (1 + len(curse.methods(settings)) + 1)
    for d in settings.dims:
        mine = [r for r in rows if r.dataset == f"nested_gmm_d{d}"]
        by_metric = {m: [r for r in mine if r.metric == m] for m in {r.metric for r in mine}}
        assert sorted(by_metric) == ["gap_per_dim_nats", "kde_n_to_match", "true_nll_per_dim_nats"]
        gaps = by_metric["gap_per_dim_nats"]
        assert [r.method for r in gaps] == list(curse.methods(settings))
        assert all(math.isfinite(r.value) and r.seconds > 0 for r in gaps)
        assert all(r.note.startswith("±") for r in gaps)
        # the true NLL per dimension is the entropy per dimension, up to the test sample's noise
        (true,) = by_metric["true_nll_per_dim_nats"]
        entropy, se = NestedGaussianMixture(d).entropy(20_000)
        assert true.value == pytest.approx(entropy / d, abs=4 * float(true.note[1:]) + 4 * se / d)
        (match,) = by_metric["kde_n_to_match"]
        assert match.method == "genlab.KDE"
        if match.value > max(settings.sweep):  # not reached: extrapolated (or inf)
            assert match.note.startswith(f">{max(settings.sweep)}:")
            assert math.isinf(match.value) or "log-log line" in match.note
        else:
            assert match.value in settings.sweep and "<=" in match.note
    assert not any(r.higher_is_better for r in rows)
    assert (tmp_path / "figures" / "curse_of_dimensionality.png").stat().st_size > 10_000


class _Shifted:
    """A "model" whose log density is the true one plus ``shift`` nats everywhere."""

    def __init__(self, density: NestedGaussianMixture, shift: float) -> None:
        self.density, self.shift = density, shift

    def fit(self, X: np.ndarray) -> _Shifted:
        return self

    def log_prob(self, X: np.ndarray) -> np.ndarray:
        return self.density.true_log_prob(X) + self.shift


@pytest.mark.parametrize("d", [1, 8])
def test_the_true_density_has_gap_zero_and_a_worse_one_a_gap_per_dimension(d):
    p = NestedGaussianMixture(d)
    X_train, X_test = p.sample(10, random_state=0), p.sample(300, random_state=1)
    makers = {"truth": lambda: _Shifted(p, 0.0), "worse": lambda: _Shifted(p, -3.0)}
    fits = curse.family_gaps(p, X_train, X_test, makers)
    assert (fits["truth"].gap, fits["truth"].stderr) == (0.0, 0.0)
    assert fits["worse"].gap == pytest.approx(3.0 / d)


def test_the_closed_form_density_integrates_to_one_and_is_the_32d_mixture_marginal():
    grid = np.linspace(-7.0, 7.0, 1401)
    one = NestedGaussianMixture(1)
    assert trapezoid(np.exp(one.true_log_prob(grid[:, None])), grid) == pytest.approx(1.0, 1e-6)
    two = NestedGaussianMixture(2)
    g = np.linspace(-7.0, 7.0, 561)
    xx, yy = np.meshgrid(g, g, indexing="ij")
    density = np.exp(two.true_log_prob(np.c_[xx.ravel(), yy.ravel()])).reshape(xx.shape)
    assert trapezoid(trapezoid(density, g, axis=1), g) == pytest.approx(1.0, abs=1e-4)
    # integrating out the second coordinate gives the 1-D set: one family, nested
    at = np.array([0, 140, 280, 400])  # rows of xx
    marginal = trapezoid(density[at], g, axis=1)
    assert marginal == pytest.approx(np.exp(one.true_log_prob(g[at][:, None])), rel=1e-4)


def test_the_closed_form_density_matches_scipy_and_its_own_samples():
    p = NestedGaussianMixture(8)
    X = p.sample(50_000, random_state=3)
    expected = logsumexp(
        [np.log(w) + multivariate_normal(m, c).logpdf(X[:20]) for w, m, c in
         zip(p.weights, p.means, p.covariances, strict=True)],
        axis=0,
    )  # fmt: skip
    assert p.true_log_prob(X[:20]) == pytest.approx(expected, abs=1e-10)
    mean = p.weights @ p.means
    second = np.einsum(
        "k,kij->ij", p.weights, p.covariances + p.means[:, :, None] * p.means[:, None]
    )
    assert X.mean(axis=0) == pytest.approx(mean, abs=0.02)
    assert np.cov(X, rowvar=False) == pytest.approx(second - np.outer(mean, mean), abs=0.03)


@pytest.mark.parametrize("dim", [0, 33, 2.5, True])
def test_the_dimension_must_be_1_to_32(dim):
    with pytest.raises(InputError, match="dim must be"):
        NestedGaussianMixture(dim)


def test_leave_one_out_is_exact_and_agrees_with_genlab_kde_cv_up_to_2000_points():
    p = NestedGaussianMixture(3)
    X, T = p.sample(600, random_state=0), p.sample(200, random_state=1)
    chol = 0.4 * whitening(X)
    # queries split in two parts sum to all rows as queries (inside/outside bookkeeping)
    halves = loo_log_likelihood(X, chol, np.arange(250)) + loo_log_likelihood(
        X, chol, np.arange(250, 600)
    )
    assert loo_log_likelihood(X, chol) == pytest.approx(halves, rel=1e-12)
    # brute force on a few rows: drop the row, average the kernels of the others
    cov = chol @ chol.T
    for i in (0, 7):
        others = np.delete(X, i, axis=0)
        brute = logsumexp(multivariate_normal(X[i], cov).logpdf(others)) - np.log(len(others))
        assert loo_log_likelihood(X, chol, np.array([i])) == pytest.approx(brute, rel=1e-10)
    kde = genlab.KDE(bandwidth="cv").fit(X)
    assert kde_log_prob(X, T, loo_factor(X)) == pytest.approx(kde.log_prob(T), abs=1e-9)


def test_the_sweep_stops_at_the_first_size_that_reaches_the_target():
    p = NestedGaussianMixture(2)
    X, T = p.sample(800, random_state=0), p.sample(300, random_state=1)
    truth = p.true_log_prob(T)
    easy = sweep_sizes(lambda n: X[:n], T, truth, 10.0, (200, 400, 800))
    assert (easy.sizes, easy.matched) == ([200], 200)
    never = sweep_sizes(lambda n: X[:n], T, truth, -1.0, (200, 400, 800))
    assert never.sizes == [200, 400, 800] and never.matched is None
    assert never.extrapolated() is None  # a negative gap is no power of n
    assert curse._match_note(never, "genlab.Flow", 200).startswith(">800: gap/dim ")


def test_extrapolation_follows_a_power_law():
    sweep = Sweep(target=0.01, sizes=[1000, 2000, 4000], gaps=[0.08, 0.04, 0.02])
    assert sweep.extrapolated() == pytest.approx(8000.0)
