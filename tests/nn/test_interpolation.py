from __future__ import annotations

import numpy as np
import pytest

from genlab import InputError
from genlab.nn.interpolation import latent_path


def test_slerp_keeps_unit_norm_between_unit_vectors_and_lerp_is_straight():
    path = latent_path(np.array([1.0, 0.0]), np.array([0.0, 1.0]), steps=5)
    assert np.allclose(np.linalg.norm(path, axis=1), 1.0)
    line = latent_path(np.array([1.0, 0.0]), np.array([0.0, 1.0]), steps=5, method="lerp")
    assert np.allclose(line.sum(1), 1.0) and np.allclose(line[[0, -1]], np.eye(2))


def test_parallel_codes_follow_the_line():
    path = latent_path(np.array([1.0, 1.0]), np.array([2.0, 2.0]), steps=3)
    assert np.allclose(path, [[1, 1], [1.5, 1.5], [2, 2]])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"steps": 1}, "steps"), ({"method": "cubic"}, "method"), ({"steps": True}, "steps")],
)
def test_bad_requests_are_input_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        latent_path(np.zeros(2), np.ones(2), **kwargs)
    with pytest.raises(InputError, match="differ in size"):
        latent_path(np.zeros(2), np.ones(3))
