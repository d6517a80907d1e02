"""A test helper: a `.glz` fixture written on another machine decodes as it must here.

A fixture decodes bit-exactly on a CPU whose float32 kernels compute the fixture model's
likelihoods bit for bit (``expected_log_prob``, saved with the fixture). Elsewhere (AVX-512
against AVX2: neural likelihoods about 1e-6 apart) the file must decode exactly or be refused
with ModelFileError, never decode to other data, and a file written here must round-trip.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

import genlab


def same_arithmetic(model: Any, data: Any, expected_log_prob: np.ndarray) -> bool:
    """Whether this CPU gives the fixture's likelihoods bit for bit."""
    return np.array_equal(model.log_prob(data), expected_log_prob)


def assert_decodes_or_refuses(blob: bytes, model: Any, data: Any, equal: Any) -> None:
    """On another CPU family: ``blob`` decodes to ``data`` or is refused; a file written here
    decodes to ``data`` (``equal(decoded, data)`` compares)."""
    with contextlib.suppress(genlab.ModelFileError):
        assert equal(genlab.decompress(blob, model), data)
    assert equal(genlab.decompress(genlab.compress(model, data), model), data)
