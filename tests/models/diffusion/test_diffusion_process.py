"""Tests of the diffusion's noising process, its bound and its column layout, with no network:
the schedule, the forward draw, the DDIM step, and the bound checked against exact
likelihoods under the exact denoiser of data whose distribution is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from genlab.models.diffusion.bound import bound_steps, negative_bound
from genlab.models.diffusion.layout import Layout, layout_config, log_diff_ndtr
from genlab.models.diffusion.process import GaussianDiffusion, cosine_alpha_bar


@pytest.mark.parametrize("T", [2, 10, 1000])
@pytest.mark.parametrize("min_noise", [None, 0.0625])
def test_cosine_alpha_bar_is_decreasing_in_the_unit_interval(T, min_noise):
    a = cosine_alpha_bar(T, min_noise)
    assert a.shape == (T,) and a.dtype == np.float64
    assert np.all(np.diff(a) < 0) and np.all((a > 0) & (a < 1))


def test_min_noise_sets_the_first_step():
    a = cosine_alpha_bar(1000, 0.0625)
    assert math.sqrt(1 - a[0]) == pytest.approx(0.0625)
    plain = cosine_alpha_bar(1000)
    assert math.sqrt(1 - plain[0]) < 0.01  # the plain schedule starts far below that
    assert np.array_equal(cosine_alpha_bar(1000, 1e-4), plain)  # below it: unchanged


def test_q_sample_has_the_schedule_mean_and_variance():
    d = GaussianDiffusion(50)
    g = torch.Generator().manual_seed(0)
    x0 = torch.full((200_000, 1), 0.7, dtype=torch.float64)
    for step in (0, 20, 49):
        t = torch.full((len(x0),), step)
        xt = d.q_sample(x0, t, torch.randn(x0.shape, generator=g, dtype=torch.float64))
        ab = float(d.alpha_bar[step])
        assert xt.mean().item() == pytest.approx(math.sqrt(ab) * 0.7, abs=5e-3)
        assert xt.var().item() == pytest.approx(1 - ab, rel=2e-2, abs=1e-6)


def test_a_ddim_step_with_the_true_noise_recovers_the_data():
    d = GaussianDiffusion(100)
    g = torch.Generator().manual_seed(1)
    x0 = torch.randn(8, 5, generator=g, dtype=torch.float64)
    eps = torch.randn(8, 5, generator=g, dtype=torch.float64)
    t = torch.tensor([0, 1, 5, 30, 60, 90, 98, 99])
    xt = d.q_sample(x0, t, eps)
    back = d.ddim_step(xt, eps, t, torch.full((8,), -1))
    assert torch.allclose(back, x0, atol=1e-9)
    # to an intermediate step: exactly the forward draw with the same noise
    mid = d.ddim_step(xt, eps, t, t // 2)
    assert torch.allclose(mid, d.q_sample(x0, t // 2, eps), atol=1e-9)


def test_renoise_matches_the_forward_marginal():
    d = GaussianDiffusion(20)
    g = torch.Generator().manual_seed(2)
    x0 = torch.zeros(100_000, 1, dtype=torch.float64)
    t1, t2 = torch.full((len(x0),), 3), torch.full((len(x0),), 15)
    x1 = d.q_sample(x0, t1, torch.randn(x0.shape, generator=g, dtype=torch.float64))
    x2 = d.renoise(x1, t1, t2, torch.randn(x0.shape, generator=g, dtype=torch.float64))
    assert x2.var().item() == pytest.approx(1 - float(d.alpha_bar[15]), rel=2e-2)


def test_bound_steps_cover_every_step_once_or_by_strata():
    t, w = bound_steps(1000, 10, torch.Generator().manual_seed(0))
    edges = np.round(np.linspace(1, 1000, 11)).astype(int)
    assert np.all((t >= edges[:-1]) & (t < edges[1:])) and w.sum() == 999


def test_log_diff_ndtr_is_accurate_in_both_tails():
    a = torch.tensor([-math.inf, -40.0, 30.0, -1.0], dtype=torch.float64)
    b = torch.tensor([0.0, -39.0, math.inf, 1.0], dtype=torch.float64)
    from scipy.stats import norm

    expected = [math.log(0.5), None, norm.logsf(30.0), math.log(norm.cdf(1) - norm.cdf(-1))]
    got = log_diff_ndtr(a, b)
    assert torch.isfinite(got).all()
    for e, v in zip(expected, got.tolist(), strict=True):
        if e is not None:
            assert v == pytest.approx(e, rel=1e-9)


def _binary_oracle(d: GaussianDiffusion):
    """The exact noise prediction for x_0 = +-1 with probability 1/2 each."""

    def eps(x, t):
        ab = d.alpha_bar[t][:, None]
        x = x.double()
        mean = torch.tanh(ab.sqrt() * x / (1 - ab))  # E[x_0 | x_t]
        return ((x - ab.sqrt() * mean) / (1 - ab).sqrt()).float()

    return eps


def test_the_bound_of_the_exact_denoiser_is_below_and_near_the_true_probability():
    lay = Layout([{"kind": "integer", "center": 0.5, "scale": 0.5, "n": 1}])  # levels 0, 1
    d = GaussianDiffusion(200, lay.min_noise)
    x = torch.tensor([[-1.0], [1.0]] * 500, dtype=torch.float64)
    bound = -negative_bound(d, _binary_oracle(d), lay, x, 1000, 0).mean().item()
    assert math.log(0.5) - 0.03 < bound < math.log(0.5)
    strata = -negative_bound(d, _binary_oracle(d), lay, x, 20, 0).mean().item()
    assert strata == pytest.approx(bound, abs=0.02)  # the stratified estimate of the same


def test_the_bound_is_deterministic_given_the_seed():
    lay = Layout([{"kind": "continuous", "center": 0.0, "scale": 2.0, "n": 1}])
    d = GaussianDiffusion(100)

    def eps(x, t):
        return (1 - d.alpha_bar[t][:, None]).sqrt().float() * x

    x = torch.randn(50, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    a = negative_bound(d, eps, lay, x, 10, 3)
    assert torch.equal(a, negative_bound(d, eps, lay, x, 10, 3))
    assert not torch.equal(a, negative_bound(d, eps, lay, x, 10, 4))


def test_layout_config_bounds_continuous_predictions_by_the_widened_range():
    import genlab

    ds = genlab.load_dataset("mixed_table")
    A = ds.schema.encode(ds.X)
    config = {c["kind"]: c for c in layout_config(ds.schema, A)}
    z = (A[:, 0] - config["continuous"]["center"]) / config["continuous"]["scale"]
    assert config["continuous"]["low"] < z.min() and config["continuous"]["high"] > z.max()
    assert (config["integer"]["low"], config["integer"]["high"]) == (-1.0, 1.0)


def test_layout_round_trips_every_column_kind():
    lay = Layout(
        [
            {"kind": "integer", "center": 8.0, "scale": 8.0, "n": 1, "low": -1, "high": 1},
            {"kind": "continuous", "center": 1.0, "scale": 2.0, "n": 1, "low": -3, "high": 4},
            {"kind": "categorical", "center": 0.0, "scale": 1.0, "n": 3, "low": -1, "high": 1},
        ]
    )
    A = np.array([[0.0, 3.0, 2.0], [16.0, -1.0, 0.0], [5.0, 0.5, 1.0]])
    x = lay.to_net(A)
    assert x.shape == (3, 5) and np.array_equal(lay.from_net(x), A)
    low, high = lay.clip_bounds()
    assert low.tolist() == [-1, -3, -1, -1, -1] and high.tolist() == [1, 4, 1, 1, 1]
    mask = lay.net_mask(np.array([[True, False, False]]))
    assert mask.tolist() == [[True, False, False, False, False]]
    assert lay.min_noise == pytest.approx(0.5 / 8)


def test_clipping_bounds_the_last_steps_term():
    d = GaussianDiffusion(200, 0.0625)
    x0 = torch.ones(4, 3, dtype=torch.float64)
    t = torch.full((4,), 199)
    noise = torch.randn(4, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    x_t, wrong = d.q_sample(x0, t, noise), noise + 0.1
    clip = (-torch.ones(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64))
    snr = d.alpha_bar / (1 - d.alpha_bar)
    most = 0.5 * float(snr[198] - snr[199]) * 4  # |x_0 - x0_hat| <= 2 once clipped
    assert d.bound_term(x0, x_t, wrong, t, clip).max() <= most + 1e-12
    assert d.bound_term(x0, x_t, wrong, t).max() > 100 * most  # unclipped: the error blows up
