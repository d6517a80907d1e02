"""The code-compress suite on a tiny model and a few small texts: rows, exact round trips,
baselines, the completion metrics, the targets, and the reuse of a saved model."""

from __future__ import annotations

import gzip
import math

import numpy as np
import pytest

import genlab
from genlab.bench.suites import code_compress as cc
from genlab.bench.suites import code_prompts as cp

TINY = dict(
    context=16,
    width=8,
    depth=1,
    heads=2,
    batch_size=8,
    lr=3e-3,
    steps_per_epoch=2,
    max_epochs=1,
    patience=5,
    max_time=30,
    ema_decay=None,
    random_state=0,
)
TRAIN = [
    b'def add(a, b):\n    """Sum."""\n    return a + b\n' * 3,
    b'class A:\n    def get(self):\n        """Value."""\n        return self.x\n' * 3,
]
TEST = [
    ("a.py", b'def f(x):\n    """Doc of f."""\n    y = x + 1\n    return y\n\n\nz = 3\n'),
    ("b.py", b'class C:\n    def g(self):\n        """G."""\n        return 2\n'),
]
ONLY_GENLAB = frozenset({"ideal_bits_per_byte"})


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    out = tmp_path_factory.mktemp("code")
    rows = cc.measure(TINY, TRAIN, TEST, out=out, n_prompts=5, max_new_tokens=12)
    return out, rows


def _by(rows):
    return {(r.dataset, r.method, r.metric): r for r in rows}


def test_rows_are_complete_and_exact(measured, scored_alike):
    out, rows = measured
    scored_alike(rows, only_some=ONLY_GENLAB)
    by = _by(rows)
    methods = [cc.GENLAB, "gzip-9", "bz2-9", "xz-9e", "zstd-19"]
    for dataset in ["a.py", "b.py", cc.ALL]:
        for method in methods:
            assert by[(dataset, method, "bits_per_byte")].value > 0
            if dataset == cc.ALL:  # files alone: sizes only
                assert by[(dataset, method, "roundtrip_exact")].value == 1.0
                assert by[(dataset, method, "encode_bytes_per_s")].value > 0
                assert by[(dataset, method, "decode_bytes_per_s")].value > 0
        assert by[(dataset, cc.GENLAB, "ideal_bits_per_byte")].value > 0
    model = genlab.load_model(out / "model")  # the saved model gives the same file sizes
    texts = [data for _, data in TEST]
    a = texts[0]

    def bpb(blob, data):
        return 8 * len(blob) / len(data)

    assert by[(cc.ALL, cc.GENLAB, "bits_per_byte")].value == bpb(
        genlab.compress(model, texts), b"".join(texts)
    )
    assert by[("a.py", cc.GENLAB, "bits_per_byte")].value == bpb(genlab.compress(model, [a]), a)
    assert by[("a.py", "gzip-9", "bits_per_byte")].value == bpb(gzip.compress(a, 9, mtime=0), a)
    ideal = by[(cc.ALL, cc.GENLAB, "ideal_bits_per_byte")].value
    assert ideal == pytest.approx(model.bits_per_byte(texts))
    train = by[("python_code:train", cc.GENLAB, "parameters")]
    assert train.value == sum(p.numel() for p in model.module_.parameters())
    seconds = by[("python_code:train", cc.GENLAB, "train_seconds")].value
    assert seconds == pytest.approx(model.train_seconds_, abs=1e-3)  # saved to 1 ms
    assert "stopped_by=" in train.note


def test_completion_and_target_rows(measured):
    _, rows = measured
    by = _by(rows)
    share = by[(cp.DATASET, cc.GENLAB, "ast_parse_share")]
    assert 0 <= share.value <= 1 and "2 prompts (fewer than 5)" in share.note
    assert math.isfinite(by[(cp.DATASET, cc.GENLAB, "continuation_bits_per_byte")].value)
    targets = {r.dataset: r for r in rows if r.metric == "target_met"}
    assert len(targets) == len(cc.TARGETS)
    bpb = by[(cc.ALL, cc.GENLAB, "bits_per_byte")].value
    assert targets[f"bits_per_byte <= 1.45 ({cc.ALL})"].value == float(bpb <= 1.45)


def test_targets_compare_with_the_threshold():
    def value(v):
        return cc.row("compress", cc.ALL, cc.GENLAB, "bits_per_byte", v)

    met = cc.target_rows([value(1.45)])
    assert [r.value for r in met] == [1.0] and "met" in met[0].note
    assert [r.value for r in cc.target_rows([value(1.46)])] == [0.0]
    speed = cc.row("compress", cc.ALL, cc.GENLAB, "decode_bytes_per_s", 1999.0)
    assert [r.value for r in cc.target_rows([speed])] == [0.0]
    for seconds, met in ((1799.0, 1.0), (1800.0, 0.0)):  # under 30 minutes
        train = cc.row("train", "python_code:train", cc.GENLAB, "train_seconds", seconds)
        assert [r.value for r in cc.target_rows([train])] == [met]


def test_a_failed_round_trip_raises():
    with pytest.raises(RuntimeError, match="did not give"):
        cc.coding_rows("x", "a.py", b"ab", 2, (b"z", b"ac", 1.0, 1.0), "")


def test_a_saved_model_with_the_same_settings_is_reused(measured, monkeypatch, tmp_path):
    out, _ = measured

    def no_fit(self, *a, **k):
        raise AssertionError("retrained")

    monkeypatch.setattr(genlab.SequenceModel, "fit", no_fit)
    model, note = cc.trained_model(TINY, TRAIN, out, progress=True)  # progress not compared
    assert "reused" in note and model.get_params()["width"] == TINY["width"]
    with pytest.raises(AssertionError, match="retrained"):
        cc.trained_model({**TINY, "lr": 1e-2}, TRAIN, out)
    genlab.GaussianMixture(n_components=1).fit(np.zeros((5, 2)) + np.arange(5)[:, None]).save(
        tmp_path / "model"
    )  # another family in the folder: not reused
    with pytest.raises(AssertionError, match="retrained"):
        cc.trained_model(TINY, TRAIN, tmp_path)


def test_prompts_and_the_parse_definition():
    prompts = cp.docstring_prompts(TEST, 20)
    assert [(p.name, p.indent) for p in prompts] == [("a.py:f", ""), ("b.py:g", "    ")]
    assert prompts[0].body == "    y = x + 1\n    return y\n"  # not `z = 3`
    assert cp.function_end("    return 1\n  # c\nz = 3\n", "  ") == "    return 1\n"
    g = prompts[1]
    assert cp.parses(g.prompt, g.body, g.indent)
    assert not cp.parses(g.prompt, "", g.indent)  # ending the function at once fails
    assert not cp.parses(g.prompt, "        return (\n", g.indent)


def test_parse_share_counts_sampled_bodies(measured, monkeypatch):
    out, _ = measured
    model = genlab.load_model(out / "model")
    prompts = cp.docstring_prompts(TEST, 20)
    bodies = iter([p.body + "z = 3\n" for p in prompts])  # the cut at the function's end
    monkeypatch.setattr(model, "sample", lambda n, **k: [next(bodies).encode()])
    share = cp.completion_metrics(model, prompts, 20, 64)[0]
    assert share[:2] == ("ast_parse_share", 1.0)
    monkeypatch.setattr(model, "sample", lambda n, **k: [b"        return (\n"])
    assert cp.completion_metrics(model, prompts, 20, 64)[0][1] == 0.0


def test_body_bits_are_the_conditional_without_end_tokens(measured):
    out, _ = measured
    model = genlab.load_model(out / "model")
    p = cp.docstring_prompts(TEST, 1)[0]
    nats, n = cp.body_nats(model, p)
    head, full = p.prompt.encode(), (p.prompt + p.body).encode()

    def end_term(data):  # ln p(end | data)
        history = np.concatenate([[model.bos_token], np.frombuffer(data, dtype=np.uint8)])
        return model.next_log_probs(history)[model.bos_token]

    lp_full, lp_head = model.log_prob([full, head])
    expected = -(lp_full - end_term(full)) + (lp_head - end_term(head))
    assert n == len(p.body) and nats == pytest.approx(expected, rel=1e-6)
