"""The stream predictor the sequence coder runs: the model's own conditionals, batched."""

from __future__ import annotations

import numpy as np
import pytest


def _run(model, streams: list[bytes]) -> list[np.ndarray]:
    """Each stream's tables ``(len, 257)``, collected from the lockstep steps."""
    p = model.stream_predictor([len(s) for s in streams])
    out = [[] for _ in streams]
    while not p.done:
        rows = p.order[: p.active]
        tables = p.log_probs()
        for row, k in enumerate(rows):
            out[k].append(tables[row])
        p.advance(np.array([streams[k][p.step] for k in rows]))
    return [np.array(t).reshape(len(s), 257) for t, s in zip(out, streams, strict=True)]


def test_tables_are_the_models_conditionals_across_window_hops(tiny_model, code_texts):
    # 200 bytes at context 64: the window hops several times; each byte's table must be
    # log p(byte | the window log_prob uses), whatever the other streams in the batch
    streams = [code_texts[0][:200].encode(), b"x", code_texts[1][:90].encode(), b""]
    got = _run(tiny_model, streams)
    for s, tables in zip(streams, got, strict=True):
        want = tiny_model.token_log_probs(s)[:-1]  # the last row predicts the end token
        assert tables.shape == (len(s), 257)
        np.testing.assert_allclose(tables, want, atol=2e-4)
        if len(s):  # and they sum to log_prob without the end token
            picked = tables[np.arange(len(s)), np.frombuffer(s, np.uint8)].sum()
            end = tiny_model.token_log_probs(s)[-1, 256]
            assert picked + end == pytest.approx(tiny_model.log_prob([s])[0], abs=1e-3)


def test_same_calls_give_the_same_bits(tiny_model, code_texts):
    streams = [code_texts[2][:150].encode(), code_texts[3][:70].encode()]
    a, b = _run(tiny_model, streams), _run(tiny_model, streams)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_advance_refuses_values_that_are_not_bytes(tiny_model):
    p = tiny_model.stream_predictor([3, 2])
    p.log_probs()
    with pytest.raises(ValueError, match="2 byte values"):
        p.advance(np.array([1]))
    with pytest.raises(ValueError, match="byte values"):
        p.advance(np.array([1, 256]))
