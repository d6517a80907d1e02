"""SequenceModel: likelihood, sampling (filters, stop, KV cache), persistence, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import genlab
from genlab.models.sequence.network import ByteTransformer
from genlab.models.sequence.sampling import NextLogits, filtered_probs
from genlab.models.sequence.windows import BOS, crops, scoring_windows, tokens


def test_log_prob_is_the_sum_of_the_per_byte_conditionals(tiny_model):
    texts = ["def f(x):\n    return x\n", "", "a" * 150, "é ü"]
    lp = tiny_model.log_prob(texts)
    assert lp.shape == (4,) and np.isfinite(lp).all() and (lp < 0).all()
    for text, value in zip(texts, lp, strict=True):
        seq = tokens(text.encode())
        table = tiny_model.token_log_probs(text.encode())  # (n + 1, 257)
        assert table.shape == (len(seq) - 1, 257)
        assert np.allclose(np.exp(table).sum(axis=1), 1.0)
        assert np.isclose(table[np.arange(len(seq) - 1), seq[1:]].sum(), value, atol=1e-3)


def test_bits_per_byte_and_bytes_input(tiny_model, code_texts):
    texts = code_texts[:3]
    n = sum(len(t.encode()) for t in texts)
    expected = -tiny_model.log_prob(texts).sum() / (n * np.log(2))
    assert np.isclose(tiny_model.bits_per_byte(texts), expected)
    assert tiny_model.bits_per_dim(texts) == tiny_model.bits_per_byte(texts)
    as_bytes = [t.encode() for t in texts]
    assert np.array_equal(tiny_model.log_prob(as_bytes), tiny_model.log_prob(texts))
    assert np.isfinite(tiny_model.log_prob([b"\xff\xfe\x00\x80"])).all()  # not UTF-8: fine


def test_next_log_probs_match_token_log_probs_bit_for_bit(tiny_model):
    data = bytes(range(40)) * 4  # 160 bytes: windows hop past the context of 64
    seq, table = tokens(data), tiny_model.token_log_probs(data)
    for j in range(len(seq) - 1):
        assert np.array_equal(tiny_model.next_log_probs(seq[: j + 1]), table[j])


def test_sampling_is_seeded_and_returns_str(tiny_model):
    a = tiny_model.sample(3, prompt="def ", max_new_tokens=30, random_state=0)
    assert len(a) == 3 and all(isinstance(s, str) for s in a)
    assert all(len(s.encode("utf-8", "surrogatepass")) <= 30 * 3 for s in a)
    assert a == tiny_model.sample(3, prompt="def ", max_new_tokens=30, random_state=0)
    assert tiny_model.sample(0) == []


def test_kv_cache_gives_the_same_tokens_as_no_cache(tiny_model):
    kw = {"prompt": "import os\n" * 8, "max_new_tokens": 100, "random_state": 3}
    assert tiny_model.sample(4, **kw) == tiny_model.sample(4, use_cache=False, **kw)


def test_cached_logits_agree_with_full_windows():
    torch.manual_seed(0)
    net = ByteTransformer(vocab=257, context=8, width=16, depth=2, heads=2).eval()
    rows = torch.randint(0, 257, (2, 20))
    cached, plain = NextLogits(net, True), NextLogits(net, False)
    for t in range(1, 21):
        assert np.allclose(cached(rows[:, :t]), plain(rows[:, :t]), atol=1e-5)


def test_temperature_top_k_top_p_filters():
    logits = np.log(np.array([[0.5, 0.3, 0.15, 0.05]]))
    assert np.allclose(
        filtered_probs(logits, temperature=1, top_k=None, top_p=None), np.exp(logits)
    )
    assert (filtered_probs(logits, temperature=1, top_k=1, top_p=None) == [[1, 0, 0, 0]]).all()
    p = filtered_probs(logits, temperature=1, top_k=None, top_p=0.7)
    assert np.allclose(p, [[0.625, 0.375, 0, 0]])
    cold = filtered_probs(logits, temperature=0.1, top_k=None, top_p=None)
    assert cold[0, 0] > 0.99


def test_top_k_one_is_greedy_and_stop_is_honoured(tiny_model):
    greedy = tiny_model.sample(3, prompt="def ", max_new_tokens=20, top_k=1, random_state=0)
    assert len(set(greedy)) == 1
    other = tiny_model.sample(2, prompt="def ", max_new_tokens=20, top_k=1, random_state=9)
    assert other[0] == greedy[0]
    small_p = tiny_model.sample(2, prompt="def ", max_new_tokens=20, top_p=1e-9, random_state=1)
    assert small_p[0] == greedy[0]
    out = tiny_model.sample(5, max_new_tokens=60, stop=["\n", " "], random_state=0)
    assert all("\n" not in s and " " not in s for s in out)


def test_long_prompts_are_windowed(tiny_model):
    out = tiny_model.sample(1, prompt="x = 1\n" * 50, max_new_tokens=5, random_state=0)
    assert len(out) == 1


def test_fitted_on_bytes_samples_bytes(code_texts):
    data = [t.encode() for t in code_texts[:6]]
    m = genlab.SequenceModel(context=32, width=16, depth=1, heads=2, max_epochs=1, progress=False)
    out = m.fit(data).sample(2, max_new_tokens=10, random_state=0)
    assert all(isinstance(s, bytes) for s in out)


def test_save_load_gives_identical_outputs(tiny_model, code_texts, tmp_path):
    same = genlab.load_model(tiny_model.save(tmp_path / "m"))
    assert type(same) is genlab.SequenceModel and same.get_params() == tiny_model.get_params()
    assert np.array_equal(same.log_prob(code_texts[:3]), tiny_model.log_prob(code_texts[:3]))
    kw = {"prompt": "def ", "max_new_tokens": 20, "random_state": 5}
    assert same.sample(2, **kw) == tiny_model.sample(2, **kw)


def test_scoring_windows_score_every_target_once():
    seq = tokens(b"abcdefghij")  # 12 tokens, 11 predictions
    inputs, targets = scoring_windows(seq, 4)
    scored = targets[targets != -100]
    assert sorted(scored.tolist()) == sorted(seq[1:].tolist()) and inputs.shape[1] == 4
    assert inputs[0, 0] == BOS


def test_crops_score_every_prediction_once_in_context_order():
    seq = tokens(b"abcdefghij")  # 12 tokens, 11 predictions
    inputs, targets = crops(seq, 4)
    keep = targets != -100
    assert targets[keep].tolist() == seq[1:].tolist()  # each target once, in order
    assert inputs[keep].tolist() == seq[:-1].tolist()  # each input right before its target


def test_steps_per_epoch_makes_an_epoch_that_many_batches(code_texts):
    m = genlab.SequenceModel(
        context=16,
        width=8,
        depth=1,
        heads=2,
        max_epochs=2,
        batch_size=4,
        steps_per_epoch=3,
        progress=False,
    )
    m.fit(code_texts[:4])
    assert m.train_result_.epochs == 2
    with pytest.raises(genlab.InputError, match="steps_per_epoch"):
        genlab.SequenceModel(context=16, width=8, depth=1, heads=2, steps_per_epoch=0).fit(
            ["ab"] * 9
        )


def test_bad_inputs_raise_input_error(tiny_model):
    m = genlab.SequenceModel(context=16, width=8, depth=1, heads=2, progress=False)
    with pytest.raises(genlab.InputError, match="empty"):
        m.fit([])
    with pytest.raises(genlab.InputError, match="not str or bytes"):
        m.fit([1, 2, 3])
    with pytest.raises(genlab.InputError, match="list of str"):
        m.fit(3.5)
    with pytest.raises(genlab.InputError, match="multiple of heads"):
        genlab.SequenceModel(width=7, heads=2).fit(["abc"] * 10)
    with pytest.raises(genlab.NotFittedError):
        m.sample(2)
    for bad in ({"temperature": 0}, {"temperature": -1.0}, {"top_k": 0}, {"top_p": 1.5}):
        with pytest.raises(genlab.InputError):
            tiny_model.sample(1, max_new_tokens=3, **bad)
    with pytest.raises(genlab.InputError, match="non-negative"):
        tiny_model.sample(-1)
    with pytest.raises(genlab.InputError, match="at least one byte"):
        tiny_model.bits_per_byte([""])
    with pytest.raises(genlab.InputError, match="unconditional"):
        tiny_model.fit(["abc"] * 10, [0] * 10)


def test_checkpoints_and_resume_through_the_common_trainer(code_texts, tmp_path):
    kw = {"context": 32, "width": 16, "depth": 1, "heads": 2, "progress": False}
    ck = str(tmp_path / "ck")
    first = genlab.SequenceModel(**kw, max_epochs=1, checkpoint_dir=ck).fit(code_texts[:6])
    assert any((tmp_path / "ck").iterdir()) and first.train_result_.epochs == 1
    resumed = genlab.SequenceModel(**kw, max_epochs=2, checkpoint_dir=ck, resume=True)
    assert resumed.fit(code_texts[:6]).train_result_.epochs == 2
