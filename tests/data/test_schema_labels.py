"""Column labels: any DataFrame's labels work (integers from ``pd.DataFrame(array)``), and
two columns of one name are refused, at fit and afterwards."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genlab
from genlab.core.errors import InputError
from genlab.data.schema import infer_schema


def test_integer_column_labels_fit_score_and_sample():
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 3)))
    model = genlab.KDE().fit(X)
    assert model.schema_.names == ["0", "1", "2"]
    assert np.isfinite(model.log_prob(X)).all() and model.sample(2).shape == (2, 3)


@pytest.mark.parametrize("labels", [["a", "a"], [1, "1"]])
def test_duplicate_column_names_are_refused(labels):
    X = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], columns=labels)
    with pytest.raises(InputError, match=r"two columns named '(a|1)'"):
        infer_schema(X)
    schema = infer_schema(pd.DataFrame([[1.0, 2.0]], columns=["a", "1"]))
    with pytest.raises(InputError, match="two columns named"):
        schema.encode(X)
