"""A tiny SequenceModel fitted once on a few KB of Python code, shared by these tests."""

from __future__ import annotations

import pytest

import genlab
from genlab.data.text import load_python_code

TINY = {
    "context": 64,
    "width": 32,
    "depth": 2,
    "heads": 2,
    "max_epochs": 3,
    "lr": 3e-3,
    "progress": False,
}


@pytest.fixture(scope="session")
def tiny_params() -> dict:
    """Hyperparameters of a tiny, fast model."""
    return dict(TINY)


@pytest.fixture(scope="session")
def code_texts() -> list[str]:
    """Pieces of a few KB of standard-library source, as ``str``."""
    corpus = load_python_code()
    data = b"".join(corpus.train_texts()[:3])[:6000].decode("utf-8", "replace")
    return [data[i : i + 400] for i in range(0, len(data), 400)]


@pytest.fixture(scope="session")
def tiny_model(code_texts) -> genlab.SequenceModel:
    return genlab.SequenceModel(**TINY).fit(code_texts)
