"""Continuous columns coded on a stated grid: exact round trips, rate, limits and errors."""

from __future__ import annotations

import contextlib
import struct
import zlib

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import genlab
from genlab.cli import run
from genlab.jobs.compress import compress, decompress
from genlab.jobs.compress import format as fmt
from genlab.jobs.compress.chain import chain_log_pmf, step_log_probs
from genlab.jobs.compress.codecs import coding_orders
from genlab.jobs.compress.format import Header, pack, unpack
from genlab.jobs.compress.grid import symbol_values


@pytest.fixture(scope="module")
def wine():
    """Wine on a 0.01 grid (without proline and magnesium, whose ranges make wide tables)."""
    df = genlab.load_dataset("wine").X.drop(columns=["proline", "magnesium"]).round(2)
    model = genlab.AutoregressiveModel(hidden_sizes=(32,), max_epochs=5, progress=False)
    return model.fit(df.iloc[:100]), df.iloc[100:].reset_index(drop=True)


@pytest.fixture(scope="module")
def mixed():
    df = genlab.load_dataset("mixed_table").X.iloc[:300].copy()
    df["income"] = df["income"].round(2)
    model = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=3, progress=False)
    return model.fit(df.iloc[:200]), df.iloc[200:260].reset_index(drop=True)


def test_wine_round_trip_is_exact_and_rate_is_the_binned_probability(wine):
    model, X = wine
    blob = compress(model, X, step=0.01, n_orders=1)
    back = decompress(blob, model)
    assert back.equals(X) and (back.to_numpy() == X.to_numpy()).all()
    header, words = unpack(blob)
    assert all(g[0] == 0.01 for g in header.grids) and len(header.grids) == X.shape[1]
    # the model's own -log2 of the binned probabilities, along the coding order
    bins = {j: g for j, g in enumerate(header.grids)}
    lo = np.array([g[1] for g in header.grids])
    symbols = (np.round(X.to_numpy() * 100) - lo).astype(np.int64)
    orders = np.tile(coding_orders(1, X.shape[1]), (len(X), 1))
    tables = chain_log_pmf(model, symbol_values(symbols, lo, bins), orders, 64, bins)
    ideal = -step_log_probs(tables, symbols, orders).sum() / np.log(2)
    assert ideal - 1 < 32 * len(words) < 1.02 * ideal + 64  # payload: within 2% + a word
    assert len(blob) - 4 * len(words) < 90  # header: 25 bytes, one step, two varints a column
    # finer bins cost log2(step ratio) more bits per value, about
    fine = compress(model, X, step=0.001, n_orders=1)
    extra = 8 * (len(fine) - len(blob)) / X.size
    assert 2.5 < extra < 4.0  # log2(10) = 3.32


def test_mixed_table_and_determinism(mixed):
    model, X = mixed
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        blob = compress(model, X, step={"income": 0.01}, n_orders=2, batch_size=7)
        torch.set_num_threads(2)
        assert compress(model, X, step=0.01, n_orders=2, batch_size=64) == blob
        back = decompress(blob, model, batch_size=5)
    finally:
        torch.set_num_threads(threads)
    assert back.equals(X), (back.dtypes, X.dtypes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_continuous_files(mixed, data):
    """Mutated headers and grids (CRC fixed up or not) end in a result or a genlab error."""
    model, X = mixed
    blob = bytearray(compress(model, X.iloc[:3], step=0.01))
    for _ in range(data.draw(st.integers(1, 3))):
        blob[data.draw(st.integers(4, len(blob) - 5))] = data.draw(st.integers(0, 255))
    body = bytes(blob[:-4])
    if data.draw(st.booleans()):
        blob = bytearray(body + struct.pack("<I", zlib.crc32(body)))
    with contextlib.suppress(genlab.GenlabError):
        decompress(bytes(blob), model)


def test_off_grid_values_come_back_rounded(mixed):
    model, X = mixed
    X = X.iloc[:6].copy()
    X.loc[0, "income"] = 50.004  # far outside the training range, and off the grid
    X.loc[1, "income"] = 0.125  # a tie: round half to even gives 0.12
    back = decompress(compress(model, X, step=0.01), model)
    assert back.loc[0, "income"] == 50.0 and back.loc[1, "income"] == 0.12
    assert np.abs(back["income"] - X["income"]).max() <= 0.005 + 1e-12
    assert back.drop(columns="income").equals(X.drop(columns="income"))
    odd = decompress(compress(model, X, step=0.3), model)["income"]  # k * step
    assert np.array_equal(odd, np.round(X["income"] / 0.3) * 0.3)


def test_errors(mixed):
    model, X = mixed
    with pytest.raises(genlab.InputError, match=r"pass step=.*compress\(model, X, step=0.01\)"):
        compress(model, X)
    with pytest.raises(genlab.InputError, match=r"unknown.*'wage'"):
        compress(model, X, step={"wage": 0.01})
    with pytest.raises(genlab.InputError, match="finite number > 0"):
        compress(model, X, step=-1.0)
    far = X.iloc[:2].copy()
    far.loc[0, "income"] = 1e6
    with pytest.raises(genlab.InputError, match="use a larger step"):
        compress(model, far, step=0.01)
    blob = compress(model, X.iloc[:3], step=0.01)
    head, words = unpack(blob)
    for grids in [(), ((0.01, 0, 1 << 30),), ((float("nan"), 0, 1),), ((0.01, 0, 1),) * 2]:
        with pytest.raises(genlab.ModelFileError, match="grid"):
            decompress(_with_grids(head, words, grids), model)
    with pytest.raises(genlab.InputError, match="has none"):
        digits = genlab.load_dataset("digits").subset(np.arange(50))
        small = genlab.AutoregressiveModel(hidden_sizes=(8,), max_epochs=1, progress=False)
        compress(small.fit(digits), digits.X[:1], step=0.01)


def _with_grids(head, words, grids):
    """A file like ``head``'s with other grids, its CRC fixed (grids bypass pack's checks)."""
    good = pack(
        Header(head.fingerprint, head.codec, head.param, head.group, head.n_items, head.item_shape),
        words,
    )[:-4]
    fixed = 25  # magic .. rank and a rank-1 shape
    body = bytearray(good[:fixed])
    if grids:
        body[4] = 2
        body += struct.pack("<HB", len(grids), 0)
        body += struct.pack(f"<{len(grids)}d", *[g[0] for g in grids])
        for _, k_min, k_max in grids:
            body += fmt._varint(2 * k_min) + fmt._varint(k_max - k_min)
    body += good[fixed:]
    return bytes(body) + struct.pack("<I", zlib.crc32(bytes(body)))


def test_cli_step_and_vae_refusal(mixed, tmp_path, capsys):
    model, X = mixed
    model.save(tmp_path / "m")
    X.to_csv(tmp_path / "x.csv", index=False)
    glz = tmp_path / "x.glz"
    assert run("compress", tmp_path / "m", tmp_path / "x.csv", "-o", glz) == 2
    assert "--step 0.01" in capsys.readouterr().err
    assert run("compress", tmp_path / "m", tmp_path / "x.csv", "-o", glz, "--step", "0.01") == 0
    assert run("decompress", tmp_path / "m", glz, "-o", tmp_path / "back.csv") == 0
    back = pd.read_csv(tmp_path / "back.csv")
    assert np.array_equal(back["income"], X["income"]) and back["age"].equals(X["age"])
    vae = genlab.VAE(hidden=8, latent_dim=2, max_epochs=1, progress=False).fit(X)
    with pytest.raises(genlab.CapabilityError, match="continuous"):
        compress(vae, X, step=0.01)
