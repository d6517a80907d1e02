"""Per-column output heads: exact probabilities, stability, sampling and means."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from genlab.core.errors import InputError
from genlab.data.schema import infer_schema
from genlab.nn.heads import ColumnHeads

SPEC = [
    {"kind": "integer", "levels": [0, 16], "n_components": 3},
    {"kind": "integer", "levels": [-2, 1], "n_components": 3},
    {"kind": "integer", "levels": [5, 5], "n_components": 2},
    {"kind": "categorical", "n_categories": 4},
    {"kind": "categorical", "n_categories": 2},
    {"kind": "continuous", "n_components": 2},
]


@pytest.fixture
def heads():
    return ColumnHeads(SPEC).double()


def random_params(heads, n, scale=2.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, heads.n_params, generator=g, dtype=torch.float64) * scale


def test_layout(heads):
    assert heads.n_params_per_column == [9, 9, 6, 4, 2, 6]
    assert heads.n_params == 36
    expected = [j for j, n in enumerate([9, 9, 6, 4, 2, 6]) for _ in range(n)]
    assert heads.param_column.tolist() == expected


@pytest.mark.parametrize("scale", [0.5, 3.0, 30.0])
def test_discrete_columns_sum_to_one(heads, scale):
    params = random_params(heads, 16, scale)
    for j in range(5):
        pmf = heads.log_pmf(params, j).exp()
        assert torch.allclose(pmf.sum(-1), torch.ones(16, dtype=torch.float64), atol=1e-12)


def test_log_prob_matches_log_pmf(heads):
    params = random_params(heads, 8)
    for value in range(17):
        x = torch.tensor([[value, -2, 5, 1, 0, 0.3]] * 8, dtype=torch.float64)
        lp = heads.log_prob(params, x)
        assert torch.allclose(lp[:, 0], heads.log_pmf(params, 0)[:, value], atol=1e-12)
        assert torch.allclose(lp[:, 2], torch.zeros(8, dtype=torch.float64))  # single level


def test_integer_bins_match_the_logistic_cdf():
    heads = ColumnHeads([{"kind": "integer", "levels": [0, 4], "n_components": 1}]).double()
    params = torch.tensor([[0.0, 0.25, math.log(0.3)]], dtype=torch.float64)  # mu=2.5, s=0.6
    mu, s = 2.5, 0.6
    cdf = lambda v: 1 / (1 + math.exp(-(v - mu) / s))  # noqa: E731
    expected = [
        cdf(0.5),
        cdf(1.5) - cdf(0.5),
        cdf(2.5) - cdf(1.5),
        cdf(3.5) - cdf(2.5),
        1 - cdf(3.5),
    ]
    got = heads.log_pmf(params, 0).exp()[0].tolist()
    assert np.allclose(got, expected, atol=1e-12)


def test_log_prob_is_stable_far_in_the_tails():
    heads = ColumnHeads([{"kind": "integer", "levels": [0, 255], "n_components": 1}]).double()
    # a sharp component at the bottom of the grid; the top value is ~1e5 scales away
    params = torch.tensor([[0.0, -1.0, -6.0]], dtype=torch.float64, requires_grad=True)
    lp = heads.log_prob(params, torch.tensor([[200.0]], dtype=torch.float64))
    s = 127.5 * math.exp(-6.0)  # mu = 0; bin 200 holds about e^(-199.5 / s) (1 - e^(-1 / s))
    expected = -199.5 / s + math.log1p(-math.exp(-1 / s))
    assert lp.item() == pytest.approx(expected, rel=1e-9)
    lp.sum().backward()
    assert torch.isfinite(params.grad).all()


def test_continuous_matches_gaussian_mixture():
    heads = ColumnHeads([{"kind": "continuous", "n_components": 2}]).double()
    params = torch.tensor(
        [[0.0, math.log(3.0), -1.0, 2.0, 0.0, math.log(0.5)]], dtype=torch.float64
    )
    x = torch.tensor([[0.7]], dtype=torch.float64)
    phi = lambda v, m, s: math.exp(-0.5 * ((v - m) / s) ** 2) / (s * math.sqrt(2 * math.pi))  # noqa: E731
    expected = math.log(0.25 * phi(0.7, -1, 1) + 0.75 * phi(0.7, 2, 0.5))
    assert heads.log_prob(params, x).item() == pytest.approx(expected, abs=1e-12)


def test_nan_entries_contribute_zero(heads):
    params = random_params(heads, 3)
    x = torch.tensor([[float("nan"), 0, 5, 2, 1, float("nan")]] * 3, dtype=torch.float64)
    lp = heads.log_prob(params, x)
    assert torch.isfinite(lp).all() and (lp[:, 0] == 0).all() and (lp[:, 5] == 0).all()


def test_samples_follow_the_probabilities(heads):
    params = random_params(heads, 1, 1.0).expand(20000, -1)
    draws = heads.sample(params, torch.Generator().manual_seed(0))
    assert draws.shape == (20000, 6)
    for j, n_levels, lo in [(0, 17, 0), (1, 4, -2), (3, 4, 0)]:
        freq = np.bincount((draws[:, j] - lo).long().numpy(), minlength=n_levels) / 20000
        assert np.abs(freq - heads.log_pmf(params[:1], j).exp()[0].numpy()).max() < 0.015
    assert (draws[:, 2] == 5).all()
    mean = heads.mean(params[:1])[0]
    assert draws[:, 5].mean().item() == pytest.approx(mean[5].item(), abs=0.05)


def test_mean_is_exact_on_the_grid(heads):
    params = random_params(heads, 5)
    mean = heads.mean(params)
    for j, lo, hi in [(0, 0, 16), (1, -2, 1)]:
        grid = torch.arange(lo, hi + 1, dtype=torch.float64)
        assert torch.allclose(mean[:, j], (heads.log_pmf(params, j).exp() * grid).sum(-1))
    assert torch.equal(mean[:, 3], heads.log_pmf(params, 3).argmax(-1).double())


def test_from_schema_reads_kinds():
    import pandas as pd

    df = pd.DataFrame({"a": [0.5, 1.5], "n": [1, 3], "c": ["x", "y"]})
    spec = ColumnHeads.spec_from_schema(infer_schema(df), n_components=4)
    assert [s["kind"] for s in spec] == ["continuous", "integer", "categorical"]
    assert spec[1]["levels"] == [1, 3] and spec[2]["n_categories"] == 2
    assert ColumnHeads(spec).n_params == 12 + 12 + 2


def test_bad_specs_and_params_raise():
    with pytest.raises(InputError):
        ColumnHeads([{"kind": "ordinal"}])
    with pytest.raises(InputError):
        ColumnHeads([{"kind": "integer", "levels": [3, 1]}])
    with pytest.raises(InputError):
        ColumnHeads(SPEC).log_prob(torch.zeros(2, 5), torch.zeros(2, 6))
    with pytest.raises(InputError):
        ColumnHeads(SPEC).log_pmf(torch.zeros(2, 36), 5)
