"""genlab.compress / decompress with a SequenceModel: exact round trips, clear refusals."""

from __future__ import annotations

import operator
import sysconfig
from pathlib import Path

import numpy as np
import pytest

import genlab
from genlab.jobs.compress.format import unpack
from old_files import assert_decodes_or_refuses, same_arithmetic


def test_round_trip_random_bytes_empty_and_non_utf8(tiny_model):
    rng = np.random.default_rng(0)
    texts = [rng.integers(0, 256, 150).astype(np.uint8).tobytes(), b"", b"\xff\xfe\x80abc"]
    back = genlab.decompress(genlab.compress(tiny_model, texts), tiny_model)
    assert back == texts and all(isinstance(t, bytes) for t in back)
    assert genlab.decompress(genlab.compress(tiny_model, []), tiny_model) == []
    assert genlab.decompress(genlab.compress(tiny_model, b""), tiny_model) == b""


def test_round_trip_strings_keeps_the_type(tiny_model):
    texts = ["été\n", "", "x" * 3]
    assert genlab.decompress(genlab.compress(tiny_model, texts), tiny_model) == texts
    assert genlab.decompress(genlab.compress(tiny_model, "solo"), tiny_model) == "solo"


def test_round_trip_python_source_costs_about_its_log_prob(tiny_model):
    data = (Path(sysconfig.get_paths()["stdlib"]) / "keyword.py").read_bytes()[:1500]
    blob = genlab.compress(tiny_model, [data])
    assert genlab.decompress(blob, tiny_model) == [data]
    ideal_bits = -tiny_model.log_prob([data])[0] / np.log(2)
    assert len(blob) * 8 < ideal_bits + 8 * 64  # header, CRC and the coder's last words
    assert unpack(blob)[0].codec == 4


def test_wrong_model_kinds_fail_clearly(tiny_model, code_texts):
    ds = genlab.load_dataset("digits").subset(np.arange(60))
    image_model = genlab.AutoregressiveModel(hidden_sizes=(8,), max_epochs=1, progress=False)
    image_model.fit(ds)
    text_blob = genlab.compress(tiny_model, ["abc"])
    image_blob = genlab.compress(image_model, ds.X[:2])
    with pytest.raises(genlab.ModelFileError, match="cannot decode them"):
        genlab.decompress(text_blob, image_model)
    with pytest.raises(genlab.ModelFileError, match="decodes texts only"):
        genlab.decompress(image_blob, tiny_model)
    with pytest.raises(genlab.InputError, match="str or bytes"):
        genlab.compress(tiny_model, ds.X[:2])
    with pytest.raises(genlab.GenlabError):
        genlab.compress(image_model, ["abc"])
    other = genlab.SequenceModel(
        context=16, width=8, depth=1, heads=1, max_epochs=1, progress=False
    )
    with pytest.raises(genlab.ModelFileError, match="another model"):
        genlab.decompress(text_blob, other.fit(code_texts[:4]))
    with pytest.raises(genlab.InputError, match="do not apply"):
        genlab.compress(tiny_model, ["abc"], step=0.1)


FIXTURES = Path(__file__).parents[2] / "fixtures" / "sequence_v1"


def test_files_of_the_first_sequence_codec_still_decode():
    model = genlab.load_model(FIXTURES / "seq-tiny")
    blob = (FIXTURES / "seq3.glz").read_bytes()
    assert unpack(blob)[0].codec == 3
    texts = ["def g(y):\n    return y * 2\n", "", "été"]
    expected = np.load(FIXTURES / "seq-lp.npy")
    np.testing.assert_allclose(model.log_prob(texts), expected, atol=1e-4)
    if same_arithmetic(model, texts, expected):
        assert genlab.decompress(blob, model) == texts
    else:  # a CPU family whose float32 kernels round otherwise (tests/old_files.py)
        assert_decodes_or_refuses(blob, model, texts, operator.eq)


def test_long_texts_are_cut_into_streams_and_blocks(tiny_model, monkeypatch):
    from genlab.jobs.compress import sequence as codec

    monkeypatch.setattr(codec, "SEGMENT_KB", 1)  # 1 KiB streams: 2500 bytes make 3
    monkeypatch.setattr(codec, "BLOCK_ROWS", 500)  # several ANS blocks
    rng = np.random.default_rng(1)
    texts = [b"x = 1\n" * 400, rng.integers(0, 256, 1100).astype(np.uint8).tobytes(), b"ab"]
    blob = genlab.compress(tiny_model, texts)
    assert unpack(blob)[0].group == 1  # the stream length travels in the file
    monkeypatch.setattr(codec, "SEGMENT_KB", 16)  # the decoder reads it from there
    assert genlab.decompress(blob, tiny_model) == texts


def test_a_corrupted_stream_payload_fails_clearly(tiny_model):
    blob = bytearray(genlab.compress(tiny_model, ["def f(x):\n    return x\n" * 20]))
    header, words = unpack(bytes(blob))
    from genlab.jobs.compress.format import pack

    for bad in (words[:-1], np.concatenate([words, words[-1:]]), words[:1]):
        with pytest.raises(genlab.ModelFileError, match="corrupted"):
            genlab.decompress(pack(header, bad), tiny_model)
    huge = words.copy()
    huge[1] = 1 << 20  # a length of 2^52 bytes: refused before any work
    with pytest.raises(genlab.ModelFileError, match="at most"):
        genlab.decompress(pack(header, huge), tiny_model)
