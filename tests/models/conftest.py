"""Fixtures the family tests share."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import genlab


@pytest.fixture
def one_torch_thread():
    """Tiny networks: on a busy 2-core machine extra torch threads only wait."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def digits200() -> genlab.Dataset:
    """The first 200 bundled digits: enough for a family to learn something in seconds."""
    return genlab.load_dataset("digits").subset(np.arange(200))
