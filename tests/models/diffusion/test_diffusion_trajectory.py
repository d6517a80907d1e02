"""``Diffusion.trajectory``: the states of ``sample``'s reverse pass, from noise to the samples
that ``sample`` returns with the same arguments."""

from __future__ import annotations

import numpy as np
import pytest

import genlab
from genlab import Condition
from genlab.core.errors import InputError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY = {"width": 8, "emb_dim": 16, "timesteps": 50, "steps": 6, "max_epochs": 2}


@pytest.fixture(scope="module")
def by_class(digits200):
    return genlab.Diffusion(**TINY, progress=False).fit(digits200.X, digits200.y)


def test_a_trajectory_runs_from_noise_to_the_sample(by_class):
    states = by_class.trajectory(3, condition=7, random_state=0)
    assert len(states) == TINY["steps"] + 1
    for state in states:
        assert state.shape == (3, 8, 8) and np.issubdtype(state.dtype, np.integer)
        assert state.min() >= 0 and state.max() <= 16
    assert np.array_equal(states[-1], by_class.sample(3, condition=7, random_state=0))
    # every step moves the state: the start is noise, far from the digit it becomes
    distance = [np.abs(s.astype(float) - states[-1]).mean() for s in states]
    assert distance[0] > 2 * distance[-2] and distance[-1] == 0
    assert len({s.tobytes() for s in states}) > TINY["steps"] // 2


def test_without_a_condition_classes_come_from_the_prior_as_in_sample(by_class):
    states = by_class.trajectory(4, random_state=3)
    assert np.array_equal(states[-1], by_class.sample(4, random_state=3))


def test_pooled_image_conditions_end_on_the_repaired_samples(digits200):
    X = digits200.X
    small = X.reshape(len(X), 4, 2, 4, 2).mean(axis=(2, 4))
    sr = genlab.Diffusion(**TINY, progress=False).fit(X, condition=Condition.image(small))
    states = sr.trajectory(5, condition=small[:5], random_state=0)
    assert np.array_equal(states[-1], sr.sample(5, condition=small[:5], random_state=0))
    pooled = states[-1].reshape(5, 4, 2, 4, 2).mean(axis=(2, 4))
    assert np.all(np.abs(pooled - small[:5]) * 4 < 0.5)  # the condition is kept


def test_a_bad_count_is_an_input_error(by_class):
    with pytest.raises(InputError, match="n must be"):
        by_class.trajectory(-1)
