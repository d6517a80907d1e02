"""Settings shared by every test module."""

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run: a fresh clone (CI) must not meet a new
# random example that happens to be slow or to fail, and a failure reproduces. Generating
# corrupted files at random is how the fuzz tests in tests/jobs/compress were written; a
# mutated header can legitimately ask for minutes of decoding (a 2^18-point grid, 256 orders),
# which a random draw met once in a fresh clone (see the issue notes).
settings.register_profile("genlab", derandomize=True)
settings.load_profile("genlab")


@pytest.fixture
def scored_alike():
    """The check every benchmark suite's quick rows pass (``tests/bench/scoring.py``): its
    methods are scored on the same split and metric."""
    from scoring import assert_scored_alike  # tests/bench, on sys.path for its test modules

    return assert_scored_alike
