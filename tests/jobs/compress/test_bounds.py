"""Decoding work is bounded by what the payload can hold.

An ANS coder pops forever from an exhausted stack, so a header whose item count was raised
(and its CRC32 recomputed) used to make genlab decode millions of items from a 1 KB file,
for about 50 minutes, before failing. The decoder's stack now keeps an information ledger
and stops as soon as more bits were decoded than the payload holds: such files fail in well
under a second, for every codec (autoregressive over one or several orders, bits-back over
latents, texts), while valid files — also ones whose items cost almost nothing — decode.
"""

from __future__ import annotations

import struct
import time
import zlib

import numpy as np
import pytest

import genlab
from genlab.data.text import load_python_code
from genlab.jobs.compress import compress, decompress
from genlab.jobs.compress.ans import Stack, quantize

CLAIM = 2_000_000
SECONDS = 3.0


def with_count(blob: bytes, n_items: int, payload: bytes | None = None) -> bytes:
    """``blob`` claiming ``n_items`` (and carrying ``payload`` instead of its own words, if
    given), with the CRC32 recomputed: what a careful forger writes."""
    body = bytearray(blob[:-4])
    body[18:22] = struct.pack("<I", n_items)
    if payload is not None:  # version-1 header: the words start after the shape
        rank = body[22]
        body = body[: 23 + 2 * rank] + bytearray(payload)
    return bytes(body) + struct.pack("<I", zlib.crc32(bytes(body)))


def refused_fast(blob: bytes, model) -> str:
    start = time.perf_counter()
    with pytest.raises(genlab.ModelFileError) as caught:
        decompress(blob, model)
    assert time.perf_counter() - start < SECONDS
    return str(caught.value)


@pytest.fixture(scope="module")
def digits():
    return genlab.load_dataset("digits")


@pytest.fixture(scope="module")
def autoregressive(digits):
    model = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=1, progress=False)
    return model.fit(digits.subset(np.arange(100)))


@pytest.fixture(scope="module")
def vae(digits):
    model = genlab.VAE(latent_dim=4, hidden=16, max_epochs=2, progress=False)
    return model.fit(digits.subset(np.arange(100)))


@pytest.mark.parametrize("n_orders", [1, 4])
def test_an_inflated_item_count_fails_fast_autoregressive(autoregressive, digits, n_orders):
    blob = compress(autoregressive, digits.X[:12], n_orders=n_orders)
    message = refused_fast(with_count(blob, CLAIM), autoregressive)
    assert "more data than the file has" in message


def test_an_inflated_item_count_fails_fast_bits_back(vae, digits):
    blob = compress(vae, digits.X[:12])
    assert "more data than the file has" in refused_fast(with_count(blob, CLAIM), vae)


@pytest.mark.parametrize("seed", range(3))
def test_a_kilobyte_of_noise_claiming_millions_of_items_fails_fast(autoregressive, digits, seed):
    noise = np.random.default_rng(seed).integers(0, 2**32, 256, dtype=np.uint32).tobytes()
    blob = compress(autoregressive, digits.X[:2])
    refused_fast(with_count(blob, CLAIM, payload=noise), autoregressive)


def test_an_inflated_text_count_fails_fast():
    corpus = load_python_code()
    texts = [t.decode("utf-8", "replace") for t in corpus.train_texts()[:2]]
    params = {"context": 32, "width": 16, "depth": 1, "heads": 2, "max_epochs": 1}
    model = genlab.SequenceModel(**params, progress=False).fit([t[:2000] for t in texts])
    blob = compress(model, ["def f(x):\n    return x\n", "import os\n"])
    refused_fast(with_count(blob, CLAIM), model)


@pytest.mark.parametrize("n_orders", [1, 3])
def test_valid_files_of_cheap_items_still_decode(n_orders):
    # every row alike and the model nearly certain of it: a small payload for thousands of
    # items, decoded to the last bit of the ledger — it must not be refused
    X = np.full((600, 6), 3, dtype=np.int64)
    X[:3] = 0  # levels 0..3, and 3 nearly certain
    model = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=40, progress=False)
    rows = np.full((4000, 6), 3, dtype=np.int64)
    blob = compress(model.fit(X), rows, n_orders=n_orders)
    assert len(blob) * 8 < 2.5 * len(rows)  # thousands of items in under a kilobyte
    assert np.array_equal(decompress(blob, model), rows)


def test_valid_files_whose_first_item_took_many_bits_back_still_decode(digits):
    # bits-back pops a row's latents before pushing it: the first item takes ~16 x 12 bits
    # from an empty stack, which its decoder gives back last (the ledger's slack)
    model = genlab.VAE(latent_dim=16, hidden=16, max_epochs=1, progress=False)
    model.fit(digits.subset(np.arange(100)))
    for n in (1, 2, 7):
        rows = digits.X[:n]
        assert np.array_equal(decompress(compress(model, rows, latent_bits=12), model), rows)


@pytest.mark.parametrize("seed", range(3))
def test_a_valid_stack_of_improbable_symbols_decodes_under_the_bound(seed):
    # the ledger must never charge more than the coder takes: many symbols of count 1..10
    # (where the coder's requantization gives them noticeably more room) come back intact
    rng = np.random.default_rng(seed)
    counts = quantize(rng.normal(0, 6, (20000, 17)))
    symbols = rng.integers(17, size=20000)  # uniform: most are improbable under the tables
    stack = Stack()
    stack.push(symbols, counts)
    assert np.array_equal(Stack(stack.words(), bounded=True).pop(counts), symbols)
    with pytest.raises(ValueError, match="payload is exhausted"):  # and one more row is not
        Stack(stack.words(), bounded=True).pop(np.vstack([counts, counts[:200]]))


def test_valid_files_of_many_items_still_decode(vae, autoregressive, digits):
    for model in (vae, autoregressive):
        rows = digits.X[:300]
        assert np.array_equal(decompress(compress(model, rows), model), rows)
