"""Every family gives the same model in any units.

Fitting on data whose column ``j`` is multiplied by ``c`` must give a model whose
``log_prob`` of the equally scaled rows is the original's minus ``log|c|`` (the Jacobian of
the change of units) and whose samples are the original's with column ``j`` times ``c``.
A family that sizes anything (a ridge, a bandwidth, an initial scale) by an absolute number
or by the average of the columns' variances breaks this: KDE once sampled a column of std
1e-6 beside one of std 1 with std 9e-6.

Scale factors range over 1e-6 .. 1e7. Tolerances, per family, with the reason:

* kde, gmm, auto (of those two): closed-form or EM in float64 on standardized columns, so
  the results agree to rounding (1e-8 on log_prob; samples to 1e-8 relative). Both are
  affine-equivariant, so negative factors are tried as well, on log_prob only: a mirrored
  model draws the mirrored distribution, but from mirrored noise, so not the same draws.
* autoregressive, flow, diffusion: float32 networks trained with a fixed seed on columns
  standardized in float64; the standardized inputs agree to float32 rounding, so training
  follows the same path: 1e-4 nats, samples 1e-4 relative (observed: 1e-10 or better).
* vae, hvae: as above, plus an importance-sampled bound with fixed noise: 1e-3 nats
  (observed: 1e-6).
* gan (no likelihood): samples only, 1e-4 relative.

Neural families are fitted for a few epochs only (the property is about the path training
takes, not its length), on positive factors: standardization by the column's std does not
undo a sign flip, and a network need not be symmetric.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import genlab

_NEURAL = {"progress": False, "max_epochs": 3}
#: family -> (hyperparameters, log_prob tolerance in nats, sample tolerance, signs tried, runs)
CASES = {
    "kde": ({}, 1e-8, 1e-8, (1, -1), 40),  # the default bandwidth="auto"
    "gmm": ({"max_components": 3}, 1e-8, 1e-8, (1, -1), 15),
    "auto": ({"candidates": ["kde", "gmm"], "max_time": 30}, 1e-8, 1e-8, (1, -1), 5),
    "autoregressive": ({"hidden_sizes": (16,), "batch_size": 32, **_NEURAL}, 1e-4, 1e-4, (1,), 4),
    "flow": (
        {"kind": "maf", "transforms": 1, "hidden_features": 8, "base_components": 1, **_NEURAL},
        1e-4,
        1e-4,
        (1,),
        4,
    ),
    "vae": ({"latent_dim": 1, "hidden": 16, "n_importance": 8, **_NEURAL}, 1e-3, 1e-4, (1,), 3),
    "hvae": (
        {"latent_dim": 1, "lower_latent_dim": 2, "hidden": 16, "n_importance": 8, **_NEURAL},
        1e-3,
        1e-4,
        (1,),
        3,
    ),
    "diffusion": (
        {
            "width": 8,
            "hidden": 16,
            "depth": 1,
            "emb_dim": 8,
            "timesteps": 20,
            "steps": 5,
            "bound_steps": 5,
            **_NEURAL,
        },
        1e-4,
        1e-4,
        (1,),
        3,
    ),
    "gan": ({"latent_dim": 2, "hidden": 16, **_NEURAL}, None, 1e-4, (1,), 3),
}
FAMILIES = sorted(f for f, cls in genlab.FAMILIES.items() if cls.modality != "text")


def _data() -> tuple[np.ndarray, np.ndarray]:
    """60 training rows of two correlated continuous columns, and 8 query rows."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal((68, 2))
    X = np.c_[2.0 * z[:, 0] - 1.0, 0.6 * z[:, 0] + 0.8 * z[:, 1] + 3.0]
    return X[:60], X[60:]


X, Q = _data()
_BASE: dict[str, tuple[np.ndarray | None, np.ndarray]] = {}


def _fit(family: str, data: np.ndarray) -> genlab.GenerativeModel:
    return genlab.FAMILIES[family](**CASES[family][0]).fit(data)


def _answers(model: genlab.GenerativeModel, queries: np.ndarray) -> tuple:
    likely = model.capabilities & {"exact_likelihood", "likelihood_bound"}
    return (model.log_prob(queries) if likely else None), model.sample(20, random_state=1)


def _base(family: str) -> tuple[np.ndarray | None, np.ndarray]:
    if family not in _BASE:
        _BASE[family] = _answers(_fit(family, X), Q)
    return _BASE[family]


def test_every_family_is_covered():
    assert set(CASES) == set(FAMILIES)


@pytest.mark.parametrize("family", FAMILIES)
def test_a_change_of_units_changes_nothing_but_the_units(family, one_torch_thread):
    _, lp_tol, sample_tol, signs, runs = CASES[family]

    @settings(
        max_examples=runs,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        exponent=st.floats(-6.0, 7.0),
        sign=st.sampled_from(signs),
        column=st.sampled_from([0, 1]),
    )
    @example(exponent=-6.0, sign=1, column=1)  # the ends of the range, whatever the draws
    @example(exponent=7.0, sign=1, column=0)
    def check(exponent: float, sign: int, column: int) -> None:
        c = sign * 10.0**exponent
        scale = np.ones(2)
        scale[column] = c
        lp, draws = _base(family)
        lp_c, draws_c = _answers(_fit(family, X * scale), Q * scale)
        if lp is not None:
            np.testing.assert_allclose(lp_c, lp - np.log(abs(c)), rtol=0, atol=lp_tol)
        if sign > 0:
            np.testing.assert_allclose(draws_c / scale, draws, rtol=sample_tol, atol=sample_tol)

    check()
