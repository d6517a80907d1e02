"""Settings of the mixture tests."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # Small matrices: on a busy machine BLAS threads only add waiting.
    with threadpool_limits(1, user_api="blas"):
        yield
