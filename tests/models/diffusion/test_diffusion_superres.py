"""Image conditions and super-resolution: the block geometry, the exact grid repair, and a
Diffusion fitted on pooled digits whose samples keep their condition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import genlab
from genlab import Condition
from genlab.core.errors import CapabilityError, InputError
from genlab.models.diffusion.superres import BlockGrid, repair_blocks

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY = {
    "width": 8,
    "emb_dim": 16,
    "timesteps": 50,
    "steps": 6,
    "bound_steps": 8,
    "max_epochs": 3,
    "progress": False,
    "random_state": 0,
}


def pool(X: np.ndarray) -> np.ndarray:
    return X.reshape(len(X), 4, 2, 4, 2).mean(axis=(2, 4))


@pytest.fixture(scope="module")
def sr_model(digits200):
    X = digits200.X
    return genlab.Diffusion(**TINY).fit(X, condition=Condition.image(pool(X)))


def test_pool_of_upsample_is_identity_and_blocks_round_trip():
    grid = BlockGrid((8, 8), (4, 4))
    rng = np.random.default_rng(0)
    y = rng.normal(size=(3, 16))
    assert np.allclose(grid.pool(grid.upsample(y)), y)
    x = rng.normal(size=(3, 64))
    assert np.array_equal(grid.unblocks(grid.blocks(x)), x)
    # the blocks are the 2x2 squares of the image
    assert np.allclose(grid.pool(x).reshape(3, 4, 4), pool(x.reshape(3, 8, 8)))


@pytest.mark.parametrize("shapes", [((8, 8), (3, 3)), ((8, 8, 3), (4, 4)), ((8, 8), (4, 4, 1))])
def test_shapes_that_do_not_divide_are_refused(shapes):
    with pytest.raises(InputError, match="shrunk by whole factors"):
        BlockGrid(*shapes)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_repair_hits_the_block_sums_within_bounds_and_moves_little(seed):
    rng = np.random.default_rng(seed)
    grid = BlockGrid((4, 4), (2, 2))
    truth = rng.integers(0, 17, size=(5, 16)).astype(float)
    target = grid.pool(truth)  # reachable sums
    x = truth + rng.normal(scale=2.0, size=truth.shape)  # a noisy guess
    r = repair_blocks(grid, x, target, np.zeros(16), np.full(16, 16.0))
    assert np.array_equal(r, np.round(r)) and r.min() >= 0 and r.max() <= 16
    assert np.array_equal(grid.pool(r) * 4, target * 4)
    # each pixel ends within one level of its clipped rounding
    assert np.abs(r - np.clip(np.round(x), 0, 16)).max() <= 4


def test_samples_keep_their_condition_exactly(sr_model, digits200):
    low = pool(digits200.X[:20].astype(float))
    s = sr_model.sample(20, condition=low, random_state=1)
    assert s.shape == (20, 8, 8) and s.dtype == digits200.X.dtype
    assert np.array_equal(pool(s.astype(float)) * 4, low * 4)
    one = sr_model.sample(3, condition=Condition.image(low[0]), random_state=1)
    assert np.array_equal(pool(one.astype(float)), np.repeat(low[:1], 3, axis=0))


def test_free_image_condition_is_context_only(digits200):
    X = digits200.X[:100]
    m = genlab.Diffusion(**TINY, image_condition="free").fit(X, condition=Condition.image(pool(X)))
    s = m.sample(50, condition=pool(X[:50].astype(float)), random_state=0)
    assert not np.array_equal(pool(s.astype(float)), pool(X[:50].astype(float)))


def test_save_load_keeps_the_condition_shape(sr_model, digits200, tmp_path):
    low = pool(digits200.X[:4].astype(float))
    same = genlab.load_model(sr_model.save(tmp_path / "m"))
    assert same.condition_shape_ == (4, 4)
    assert np.array_equal(
        same.sample(4, condition=low, random_state=0),
        sr_model.sample(4, condition=low, random_state=0),
    )


def test_bad_conditions_are_refused(sr_model):
    with pytest.raises(InputError, match=r"fitted with \(4, 4\)"):
        sr_model.sample(2, condition=np.zeros((2, 3, 3)))
    with pytest.raises(CapabilityError, match="image conditions"):
        sr_model.sample(2, condition=Condition.labels([1, 2]))
    with pytest.raises(InputError, match="NaN"):
        sr_model.sample(1, condition=np.full((1, 4, 4), np.nan))
    with pytest.raises(InputError, match="2 images for 3 rows"):
        genlab.Diffusion(**TINY).fit(
            np.zeros((3, 8, 8)), condition=Condition.image(np.zeros((2, 4, 4)))
        )


def test_families_without_image_conditions_refuse_them(digits200):
    X = digits200.X[:30]
    with pytest.raises(CapabilityError, match="not image"):
        genlab.KDE().fit(X, condition=Condition.image(pool(X)))


def test_unconditional_draws_and_bound_work(sr_model, digits200):
    assert sr_model.sample(2, random_state=0).shape == (2, 8, 8)
    X = digits200.X[:3]
    lp = sr_model.log_prob(X, condition=Condition.image(pool(X.astype(float))))
    assert lp.shape == (3,) and np.isfinite(lp).all()
