"""genlab.compress / decompress with a SequenceModel: exact round trips, clear refusals."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import numpy as np
import pytest

import genlab
from genlab.jobs.compress.format import unpack


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
    assert unpack(blob)[0].codec == 3


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
