"""Conditional tables along orders: one row's table never depends on the rows beside it."""

from __future__ import annotations

import numpy as np
import pytest

import genlab
from genlab.jobs.compress.chain import chain_log_pmf, step_log_probs, target_log_pmf
from genlab.jobs.compress.codecs import coding_orders


@pytest.fixture(scope="module")
def mixed():
    df = genlab.load_dataset("mixed_table").X.iloc[:150].copy()
    model = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=2, progress=False)
    return model.fit(df), model.schema_.encode(df.iloc[:40])


def test_tables_do_not_depend_on_the_batch(mixed):
    model, A = mixed
    D = A.shape[1]
    rng = np.random.default_rng(0)
    observed = rng.random(A.shape) < 0.5
    target = rng.integers(0, D, len(A))
    continuous = [j for j, c in enumerate(model.schema_.columns) if c.kind == "continuous"]
    bins = {j: (1.0, -5, 200) for j in continuous}
    together = target_log_pmf(model, A, observed, target, bins)
    assert together.shape[0] == len(A) and np.allclose(np.exp(together).sum(1), 1.0)
    for i in (0, 7, 39):
        alone = target_log_pmf(model, A[i : i + 1], observed[i : i + 1], target[i : i + 1], bins)
        assert np.array_equal(alone[0], together[i])


def test_chain_adds_up_to_the_likelihood(mixed):
    model, A = mixed
    discrete = [j for j, c in enumerate(model.schema_.columns) if c.kind != "continuous"]
    sub = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=2, progress=False)
    X = genlab.load_dataset("mixed_table").X.iloc[:150, discrete]
    sub.fit(X)
    A = sub.schema_.encode(X.iloc[:10])
    orders = np.tile(coding_orders(2, A.shape[1])[1], (len(A), 1))
    lo = np.array([c.levels[0] if c.kind == "integer" else 0 for c in sub.schema_.columns])
    tables = chain_log_pmf(sub, A, orders, batch_size=3)
    total = step_log_probs(tables, (A - lo).astype(np.int64), orders).sum(1)
    expected = sub.log_prob_orders(X.iloc[:10], orders=orders[:1])[:, 0]
    assert np.allclose(total, expected, atol=1e-4)


def test_errors(mixed):
    model, A = mixed
    observed = np.zeros(A.shape, bool)
    with pytest.raises(genlab.InputError, match="one column"):
        target_log_pmf(model, A, observed, np.full(len(A), A.shape[1]))
    continuous = next(j for j, c in enumerate(model.schema_.columns) if c.kind == "continuous")
    with pytest.raises(genlab.InputError, match="pass bins"):
        target_log_pmf(model, A, observed, np.full(len(A), continuous))
