"""Codec round trips, determinism across threads and batch sizes, and the API's errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import genlab
from genlab.jobs.compress import compress, decompress
from genlab.jobs.compress.ans import TOTAL, Stack, code_length_bits, quantize, uniform
from genlab.jobs.compress.codecs import Autoregressive, OrderMixture, coding_orders


@pytest.fixture(scope="module")
def digits_model():
    ds = genlab.load_dataset("digits")
    model = genlab.AutoregressiveModel(hidden_sizes=(32,), max_epochs=3, progress=False)
    return model.fit(ds.subset(np.arange(400))), ds.X[400:430]


def check_codec(codec, stack_pop, symbols):
    """Push onto a stack holding other data, pop back: same symbols, stack as before."""
    stack = Stack()
    stack.push(np.array([3, 1, 4]), uniform(3, 5))
    before = stack.words().copy()
    codec.push(stack, symbols)
    assert np.array_equal(stack_pop(stack), symbols)
    assert np.array_equal(stack.words(), before)


def test_quantize_sums_and_floors():
    lp = np.array([[np.log(0.7), np.log(0.3), -np.inf], [np.log(1e-12), 0.0, 0.0]])
    counts = quantize(lp)
    assert (counts.sum(1) == TOTAL).all() and counts.min() >= 1
    assert counts[0, 2] == 1 and counts[0, 0] > counts[0, 1]
    assert code_length_bits(np.array([0]), counts[:1]) == pytest.approx(-np.log2(0.7), abs=1e-5)


@pytest.mark.parametrize("n_orders", [1, 3])
def test_codecs_round_trip(digits_model, n_orders):
    model, X = digits_model
    symbols = model.schema_.encode(X[:6]).astype(np.int64)
    lo = np.zeros(64)
    mixture = OrderMixture(model, coding_orders(n_orders, 64), lo, batch_size=5)
    check_codec(mixture, lambda s: mixture.pop(s, 6), symbols)
    orders = np.stack([np.random.default_rng(i).permutation(64) for i in range(6)])
    ar = Autoregressive(model, orders, lo, batch_size=4)
    check_codec(ar, lambda s: Autoregressive(model, orders, lo, batch_size=6).pop(s), symbols)


def test_compress_round_trip_and_rate(digits_model):
    model, X = digits_model
    blob = compress(model, X, n_orders=1)
    assert np.array_equal(decompress(blob, model), X)
    ideal = -model.log_prob(X).sum() / np.log(2)
    assert 8 * len(blob) < ideal + 8 * (31 + 8)  # header, CRC, word padding and tables' rounding
    assert 8 * len(blob) > ideal - 1
    empty = decompress(compress(model, X[:0]), model)  # no images: a header, and back
    assert empty.shape == (0, *X.shape[1:])


def test_determinism_threads_and_batch(digits_model):
    model, X = digits_model
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        blob = compress(model, X[:5], n_orders=3, batch_size=7)  # groups of 1 and 4 images
        torch.set_num_threads(2)
        assert np.array_equal(decompress(blob, model, batch_size=64), X[:5])
        assert compress(model, X[:5], n_orders=3, batch_size=64) == blob
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("threads", [1, 2])
def test_narrow_network_codes_exactly(threads):
    # a width-8 network on 4 columns once rounded a row differently by its position in a
    # chunk, and the encoder (all steps batched) and decoder (step by step) disagreed
    rng = np.random.default_rng(0)
    X = rng.integers(0, 12, size=(150, 4))
    model = genlab.AutoregressiveModel(hidden_sizes=(8,), max_epochs=3, progress=False).fit(X)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(threads)
        blob = compress(model, X, n_orders=3, batch_size=7)
        assert np.array_equal(decompress(blob, model, batch_size=64), X)
    finally:
        torch.set_num_threads(before)


def test_table_with_categories_and_saved_model(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"count": rng.integers(0, 5, 200), "color": rng.choice(["red", "green", "blue"], 200)}
    )
    model = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=2, progress=False).fit(df)
    blob = compress(model, df[:50], n_orders=2)
    loaded = genlab.load_model(model.save(tmp_path / "m"))
    assert decompress(blob, loaded).equals(df[:50].reset_index(drop=True))


def test_errors(digits_model):
    model, X = digits_model
    blob = compress(model, X[:3])
    other = genlab.AutoregressiveModel(hidden_sizes=(32,), max_epochs=1, progress=False)
    other.fit(genlab.load_dataset("digits").subset(np.arange(50)))
    with pytest.raises(genlab.ModelFileError, match="another model"):
        decompress(blob, other)
    with pytest.raises(genlab.ModelFileError, match=r"truncated|corrupted"):
        decompress(blob[:-5], model)
    corrupted = bytearray(blob)
    corrupted[len(blob) // 2] ^= 0x10
    with pytest.raises(genlab.ModelFileError, match="corrupted"):
        decompress(bytes(corrupted), model)
    newer = bytearray(blob)
    newer[4] = 9
    with pytest.raises(genlab.ModelFileError, match="upgrade genlab"):
        decompress(bytes(newer), model)
    with pytest.raises(genlab.InputError, match="off the model's grid"):
        compress(model, np.full((1, 8, 8), 17))
    with pytest.raises(genlab.CapabilityError, match="cannot compress"):
        compress(genlab.KDE().fit(np.random.default_rng(0).normal(size=(20, 2))), np.zeros((1, 2)))
    continuous = genlab.AutoregressiveModel(hidden_sizes=(8,), max_epochs=1, progress=False)
    continuous.fit(np.random.default_rng(0).normal(size=(40, 2)))
    with pytest.raises(genlab.InputError, match="pass step="):
        compress(continuous, np.zeros((1, 2)))


@pytest.mark.parametrize("family", ["vae", "hvae"])
def test_bits_back_latent_models(family):
    ds = genlab.load_dataset("digits")
    settings = {"hidden": 32, "latent_dim": 4, "max_epochs": 3, "progress": False}
    model = (
        genlab.VAE(**settings)
        if family == "vae"
        else genlab.HierarchicalVAE(inference="bottom_up", n_layers=2, **settings)
    ).fit(ds.subset(np.arange(300)))
    X = ds.X[300:340]
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        blob = compress(model, X, latent_bits=6, batch_size=7)
        torch.set_num_threads(2)
        assert np.array_equal(decompress(blob, model, batch_size=64), X)
    finally:
        torch.set_num_threads(threads)
    with torch.no_grad():
        nelbo = -model.elbo_terms(X)["elbo"].sum().item() / np.log(2)
    assert 8 * len(blob) < 1.3 * nelbo + 8 * 31 + 64 * 6  # header, first item's latents


def test_top_down_hierarchy_cannot_bit_swap():
    model = genlab.HierarchicalVAE(inference="top_down", hidden=16, max_epochs=1, progress=False)
    model.fit(genlab.load_dataset("digits").subset(np.arange(100)))
    with pytest.raises(genlab.CapabilityError, match="bottom_up"):
        compress(model, np.zeros((1, 8, 8), dtype=int))
