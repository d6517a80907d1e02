"""core.checks.check_count: the one place a count (``sample(n)``, ``n_imputations``) is checked."""

from __future__ import annotations

import numpy as np
import pytest

import genlab
from genlab.core.checks import check_count
from genlab.core.errors import InputError


@pytest.mark.parametrize("bad", [True, False, np.bool_(True), 2.5, -1, "3", None, 3.0])
def test_a_count_is_a_whole_number_not_a_bool(bad):
    with pytest.raises(InputError, match="must be an integer"):
        check_count("n", bad)


def test_counts_pass_as_int():
    assert check_count("n", np.int64(4)) == 4 and isinstance(check_count("n", np.int32(0)), int)
    with pytest.raises(InputError):
        check_count("n", 0, minimum=1)


@pytest.mark.parametrize("bad", [True, 2.5, -1])
def test_sample_and_impute_use_it(bad):
    model = genlab.KDE().fit(np.random.default_rng(0).normal(size=(30, 2)))
    with pytest.raises(InputError, match="n must be an integer"):
        model.sample(bad)
    X = np.array([[np.nan, 1.0], [0.5, 0.2]])
    with pytest.raises(InputError, match="n_imputations must be an integer"):
        genlab.GaussianMixture(n_components=1).fit(model.sample(30, random_state=0)).impute(
            X, n_imputations=bad
        )
