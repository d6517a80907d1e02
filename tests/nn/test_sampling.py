from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from genlab.nn.sampling import categorical_from_uniform, draw_categorical


def test_zero_probability_categories_are_never_drawn_even_at_the_edges():
    probs = np.array([[0.0, 0.5, 0.0, 0.5, 0.0]] * 4)
    u = np.array([[0.0], [0.5], [np.nextafter(1.0, 0)], [1.0]])  # both ends of [0, 1]
    assert categorical_from_uniform(probs, u).tolist() == [1, 3, 3, 3]


@given(st.lists(st.floats(0, 1), min_size=2, max_size=6).filter(lambda p: sum(p) > 1e-6))
def test_every_draw_has_positive_probability(p):
    probs = np.array([p] * 64)
    draws = draw_categorical(probs, np.random.default_rng(0))
    assert (probs[0][draws] > 0).all()


def test_frequencies_follow_the_probabilities():
    draws = draw_categorical(np.tile([0.2, 0.8], (20000, 1)), np.random.default_rng(1))
    assert abs(draws.mean() - 0.8) < 0.01
