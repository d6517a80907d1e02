"""Random and mutated files: only genlab errors come out, quickly, in bounded memory; valid
inputs among the generated ones round-trip, and a corrupted byte is caught by the CRC."""

from __future__ import annotations

import struct
import tracemalloc
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import genlab
from genlab.jobs.compress import compress, decompress
from genlab.jobs.compress.format import MAX_VALUES, Header, pack, unpack

DIGITS_X = genlab.load_dataset("digits").X[:3]


@pytest.fixture(scope="module")
def coded():
    ds = genlab.load_dataset("digits")
    model = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=1, progress=False)
    model.fit(ds.subset(np.arange(100)))
    return model, compress(model, ds.X[:3], n_orders=2), compress(model, ds.X[:1], n_orders=1)


def _decode_or_genlab_error(blob, model):
    """Decoding ends in a result or a GenlabError, having allocated under 64 MiB."""
    tracemalloc.start()
    try:
        return decompress(blob, model)
    except genlab.GenlabError:
        return None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 64 * 2**20


_fuzz = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_fuzz
@given(st.binary(max_size=200))
def test_random_bytes(coded, data):
    model, blob, _ = coded
    _decode_or_genlab_error(data, model)
    _decode_or_genlab_error(blob[:5] + data, model)


@_fuzz
@given(st.data())
def test_mutated_files(coded, data):
    model, blob, _ = coded
    buf = bytearray(blob)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(buf) - 1))
        buf[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(buf)))
    decoded = _decode_or_genlab_error(bytes(buf[:cut]), model)
    if bytes(buf[:cut]) == blob:  # the mutations happened to change nothing: a valid file
        assert decoded is not None and np.array_equal(decoded, DIGITS_X[:3])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 3), st.integers(1, 2), st.integers(0, 2**32 - 1))
def test_valid_inputs_round_trip(coded, n_images, n_orders, seed):
    """The valid cases among generated inputs: any in-range images compress and come back."""
    model = coded[0]
    X = np.random.default_rng(seed).integers(0, 17, size=(n_images, 8, 8))
    decoded = _decode_or_genlab_error(compress(model, X, n_orders=n_orders), model)
    assert decoded is not None and np.array_equal(decoded, X)


@pytest.mark.parametrize("where", [8, 30, -5])  # header, payload, last payload byte
def test_a_flipped_byte_fails_the_crc(coded, where):
    model, blob, _ = coded
    buf = bytearray(blob)
    buf[where] ^= 0x01  # the CRC is left as it was
    with pytest.raises(genlab.ModelFileError, match="CRC32"):
        decompress(bytes(buf), model)
    assert np.array_equal(decompress(blob, model), DIGITS_X[:3])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_payload_with_valid_crc(coded, data):
    """A corrupted payload whose CRC was fixed up still fails cleanly (or decodes in range)."""
    model, _, blob = coded
    body = bytearray(blob[:-4])
    i = data.draw(st.integers(27, len(body) - 1))
    body[i] = data.draw(st.integers(0, 255))
    _decode_or_genlab_error(bytes(body) + struct.pack("<I", zlib.crc32(bytes(body))), model)


def test_huge_header_is_refused_before_allocating():
    head = Header(b"x" * 8, codec=1, param=1, group=1, n_items=2**32 - 1, item_shape=(8, 8))
    with pytest.raises(genlab.ModelFileError, match=f"at most {MAX_VALUES}"):
        unpack(pack(head, np.zeros(2, np.uint32)))


def test_header_asking_for_huge_tables_is_refused(coded):
    """A crafted header (valid CRC) with 256 orders in groups of 65535 items: refused."""
    model, blob, _ = coded
    head, words = unpack(blob)
    crafted = Header(head.fingerprint, 1, 256, 65535, head.n_items, head.item_shape)
    with pytest.raises(genlab.ModelFileError, match="table entries"):
        decompress(pack(crafted, words), model)
