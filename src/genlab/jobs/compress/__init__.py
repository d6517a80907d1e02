"""Lossless compression with a generative model: ``compress(model, X) -> bytes`` and back.

A model that gives frequent data high probability codes it in about ``-log2 p(x)`` bits: the
tables come from the model, the entropy coder is constriction's ANS stack coder
(:mod:`~genlab.jobs.compress.ans`), the codecs are push/pop pairs in craystack's style
(:mod:`~genlab.jobs.compress.codecs`) and the file is a small checked container
(:mod:`~genlab.jobs.compress.format`). Rows are coded in groups (sizes 1, 4, 16, ... up
to ``group``); with ``n_orders = K > 1`` an any-order autoregressive model codes with its
mixture over K orders by bits-back over the order index (so the file costs
``-log2 (1/K) sum_k p(x | sigma_k)`` bits plus the initial bits of the first item, at most
``log2 K`` and what its order costs over the mixture).

Which families code, on discrete columns (integer grids, categories), dispatched on the
``"compress"`` capability and public methods: a model with the probability tables
``conditional_params`` / ``column_log_pmf`` (:class:`~genlab.AutoregressiveModel`: ANS along
K orders, mixed by bits-back over the order index; :mod:`~genlab.jobs.compress.chain`), and
a latent-variable model with the latent-coding interface ``latent_posterior`` /
``latent_layer_prior`` / ``data_log_pmf`` (:class:`~genlab.VAE` by BB-ANS, a bottom-up
:class:`~genlab.HierarchicalVAE` by Bit-Swap; :mod:`~genlab.jobs.compress.latent`). Others
raise :class:`~genlab.CapabilityError`, as do class-conditional models. A sequence model
(:class:`~genlab.SequenceModel`) codes texts, a list of ``str``/``bytes``, token by token
(:mod:`~genlab.jobs.compress.sequence`).

Continuous columns are coded by an autoregressive model on a grid the caller states with
``step`` (required then; :class:`~genlab.InputError` without it): ``x`` becomes
``k = round(x / step)``, coded under the model's mass of the bin
``[(k - 1/2) step, (k + 1/2) step]`` (``column_log_pmf(..., edges=...)``: CDF differences of
the column's Gaussian mixture, the edge bins holding the tails), over the range
``k_min..k_max`` of the data, which the header stores with the step (format version 2;
:mod:`~genlab.jobs.compress.grid`). ``decompress`` returns ``k * step``: lossless for data
already on the grid, otherwise the data rounded to it (error at most ``step / 2``).
Latent-variable models refuse continuous columns.

Determinism: encoder and decoder must build bit-identical integer tables. They do because
(1) the network runs on fixed 64-row chunks (``conditional_params``; the pmf too), so every
matrix product and elementwise kernel sees the same shapes whatever ``batch_size`` and the
rows batched together; (2) the pmf is computed in float64 and quantized by an elementwise rule
(:func:`~genlab.jobs.compress.ans.quantize`); (3) every sum feeding a table runs over the
same contiguous axis. What remains assumed: that the BLAS gives a row of a fixed-shape
product the same bits whatever its position in the chunk and the thread count (true of the
kernels seen here; tested with 1 vs 2 threads and batch 7 vs 64), and that encoder and
decoder run the same genlab, torch and CPU family. The network runs in float32, not
float64: with identical arithmetic both are exact, and without it float64 would only make
a mismatch rarer, not impossible, at twice the cost. A mismatch shows up as a
:class:`~genlab.ModelFileError` (data left over or a value off its grid) in almost every
case, not as silent garbage.

Example:
    >>> import genlab, numpy as np
    >>> ds = genlab.load_dataset("digits").subset(np.arange(100))
    >>> m = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=1, progress=False).fit(ds)
    >>> blob = genlab.compress(m, ds.X[:4])
    >>> np.array_equal(genlab.decompress(blob, m), ds.X[:4]), blob[:3]
    (True, b'GLZ')
    >>> w = genlab.load_dataset("wine").X.iloc[:60, :3].round(2)  # on a 0.01 grid
    >>> m = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=1, progress=False).fit(w)
    >>> genlab.decompress(genlab.compress(m, w, step=0.01), m).equals(w)
    True
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from genlab.core.errors import CapabilityError, InputError, ModelFileError, NotFittedError
from genlab.core.persistence import model_digest
from genlab.jobs.compress.ans import Stack
from genlab.jobs.compress.codecs import OrderMixture, coding_orders
from genlab.jobs.compress.format import FINGERPRINT_BYTES, Header, pack, unpack
from genlab.jobs.compress.grid import (
    Bins,
    coded_values,
    continuous_bins,
    continuous_columns,
    grid_scale,
    grid_sizes,
    symbol_bounds,
    symbol_values,
)
from genlab.jobs.compress.latent import BitsBackLatent, check_latent_model
from genlab.jobs.compress.sequence import (
    SEQUENCE_CODECS,
    compress_texts,
    decompress_texts,
    is_sequence_model,
)

__all__ = ["compress", "decompress", "model_fingerprint"]

AUTOREGRESSIVE_CODEC = 1
LATENT_CODEC = 2
MAX_LATENT_BITS = 12
#: Most table entries one coding group may hold (group x orders x columns x levels, or
#: group x latent dimensions x buckets): bounds memory, also for an untrusted header.
MAX_TABLE_ENTRIES = 1 << 25
MAX_ORDERS = 256
_fingerprints: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compress(
    model: Any,
    X: Any,
    *,
    step: float | dict[str, float] | None = None,
    n_orders: int | None = None,
    latent_bits: int | None = None,
    group: int = 128,
    batch_size: int = 64,
) -> bytes:
    """Code ``X`` losslessly with ``model``; ``decompress(blob, model)`` gives it back.

    Args:
        model: a fitted model that can code (module docstring).
        X: data of the model's schema (ndarray, DataFrame, images or Dataset), no missing
            entries, every value of a discrete column on its column's grid.
        step: the quantization step of the continuous columns, required when the schema has
            any: one positive float for all of them, or ``{column name: step}`` for each.
            A continuous value ``x`` is coded as the integer ``k = round(x / step)`` (numpy's
            round half to even) under the model's probability of the bin
            ``[(k - 1/2) step, (k + 1/2) step]``, and decompresses to ``k * step`` (computed
            as ``k / n`` when ``step == 1 / n``, so ``step=0.01`` gives back the doubles of
            ``np.round(x, 2)``). Lossless for data already on the grid; otherwise the round
            trip returns the data rounded to the grid (error at most ``step / 2``). The file
            stores each column's step and the range ``k_min..k_max`` of ``X`` (at most
            :data:`~genlab.jobs.compress.format.MAX_LEVELS` points: a larger step otherwise);
            the first and last bins also hold the model's tails.
        n_orders: autoregressive models: orders of the mixture coded by bits-back (default:
            the model's ``n_orders``); more orders cost fewer bits and more time.
        latent_bits: latent-variable models: each latent dimension is cut into
            ``2^latent_bits`` equal-mass buckets of the standard normal (default: 8 for a
            VAE, 10 for a hierarchy, whose narrow lower priors need finer buckets; checked
            on held-out *training* digits by ``tools/choose_latent_bits.py``, which prints
            the file size of 6, 8, 10 and 12).
        group: most items per coding group (stored in the file); groups grow geometrically
            up to it (:func:`group_bounds`), so only the first item pays initial bits.
        batch_size: items per network call; the file does not depend on it.
    """
    if is_sequence_model(model):  # texts: a list of str/bytes (module genlab...sequence)
        if step is not None or n_orders is not None or latent_bits is not None:
            raise InputError("a sequence model codes texts: step/n_orders/latent_bits do not apply")
        with one_thread():
            return compress_texts(model, X, model_fingerprint(model))
    lo = _check_model(model)
    values = coded_values(model.schema_, X)
    bins = continuous_bins(model.schema_, values, step)
    for j, (s, k_min, _) in bins.items():
        mul, den = grid_scale(s)
        lo[j], values[:, j] = k_min, np.round(values[:, j] * den / mul)  # k = round(x / step)
    if _is_autoregressive(model):
        codec_id = AUTOREGRESSIVE_CODEC
        param = int(n_orders if n_orders is not None else model.get_params().get("n_orders", 1))
    else:
        default = 8 if len(model.latent_dims) == 1 else 10  # tools/choose_latent_bits.py
        codec_id, param = LATENT_CODEC, int(latent_bits or default)
    if not 1 <= int(group) <= 65535 or int(batch_size) < 1:
        raise InputError(f"need 1 <= group <= 65535 and batch_size >= 1, got {group}, {batch_size}")
    codec = _codec(model, codec_id, param, lo, int(batch_size), InputError, int(group), bins)
    symbols = (values - lo).astype(np.int64)  # (N, D), continuous columns: k - k_min
    stack = Stack()
    with one_thread():
        for start, stop in group_bounds(len(symbols), int(group), codec.growth):
            codec.push(stack, symbols[start:stop])
    shape = tuple(model.schema_.image_shape or (values.shape[1],))
    grids = tuple(bins[j] for j in sorted(bins))
    header = Header(
        model_fingerprint(model), codec_id, param, int(group), len(values), shape, grids
    )
    return pack(header, stack.words())


def decompress(blob: bytes, model: Any, *, batch_size: int = 64) -> Any:
    """The data ``compress`` coded into ``blob``, in the model's container and dtypes.

    Raises:
        ModelFileError: the file is not a genlab file, is truncated or corrupted, comes from a
            newer format version, or was made with another model.
    """
    header, words = unpack(blob)
    if is_sequence_model(model) or header.codec in SEQUENCE_CODECS:
        with one_thread():
            return decompress_texts(header, words, model, model_fingerprint(model))
    lo = _check_model(model)
    if header.fingerprint != model_fingerprint(model):
        raise ModelFileError("this file was compressed with another model (fingerprint differs)")
    D = model.n_features_in_
    shape = model.schema_.image_shape or (D,)
    if tuple(header.item_shape) != tuple(shape):
        raise ModelFileError(f"file holds items of shape {header.item_shape}, model has {shape}")
    continuous = continuous_columns(model.schema_)
    if len(header.grids) != len(continuous):
        raise ModelFileError(
            f"file has {len(header.grids)} continuous grids, the model {len(continuous)} "
            "continuous columns"
        )
    bins = dict(zip(continuous, header.grids, strict=True))
    hi = symbol_bounds(model.schema_)[1]
    for j, (_, k_min, k_max) in bins.items():
        lo[j], hi[j] = k_min, k_max
    batch = max(1, int(batch_size))
    codec = _codec(model, header.codec, header.param, lo, batch, ModelFileError, header.group, bins)
    try:
        stack = Stack(words, bounded=True)
        symbols = np.empty((header.n_items, D), dtype=np.int64)
        with one_thread():
            for start, stop in reversed(group_bounds(header.n_items, header.group, codec.growth)):
                symbols[start:stop] = codec.pop(stack, stop - start)
        left = stack.words().size
    except (ValueError, RuntimeError, OverflowError, IndexError) as e:
        raise ModelFileError(f"compressed payload is corrupted ({e})") from None
    if left:
        raise ModelFileError("compressed payload is corrupted (data left after decoding)")
    if ((symbols < 0) | (symbols > hi - lo)).any():
        raise ModelFileError("compressed payload is corrupted (a value off its grid)")
    return model.schema_.decode(symbol_values(symbols, lo, bins))


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread while coding: how a BLAS splits the rows of a product between
    threads decides which kernel rounds each row, and encoder and decoder must round alike
    whatever thread count the user runs with. (Coding a group is a chain of small products:
    one thread costs little.)"""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def group_bounds(n_items: int, group: int, growth: int = 4) -> list[tuple[int, int]]:
    """The coding groups ``(start, stop)``: sizes 1, growth, growth^2, ... up to ``group``, so
    that each group's bits-back pops find enough bits left on the stack by the groups before
    it (each codec says how fast it may grow: its pops' share of the bits it pushes).

    Example:
        >>> group_bounds(30, 8)
        [(0, 1), (1, 5), (5, 13), (13, 21), (21, 29), (29, 30)]
    """
    bounds, start, size = [], 0, 1
    while start < n_items:
        stop = min(start + min(size, group), n_items)
        bounds.append((start, stop))
        start, size = stop, size * growth
    return bounds


def model_fingerprint(model: Any) -> bytes:
    """The first bytes of the model's :func:`~genlab.core.persistence.model_digest`, so that a
    file is decoded only by the model that coded it (the same after ``save`` and
    ``load_model``). Cached per model while its attributes stay the same objects (computing
    the digest saves the model)."""
    token = tuple(id(v) for v in vars(model).values())
    cached = _fingerprints.get(model)
    if cached is not None and cached[0] == token:
        return cached[1]
    fingerprint = model_digest(model)[:FINGERPRINT_BYTES]
    _fingerprints[model] = (token, fingerprint)
    return fingerprint


# ================================================================ helpers
def _is_autoregressive(model: Any) -> bool:
    """Whether ``model`` gives the probability tables of :mod:`~genlab.jobs.compress.chain`."""
    return "compress" in getattr(model, "capabilities", ()) and hasattr(model, "column_log_pmf")


def _is_latent(model: Any) -> bool:
    """Whether ``model`` has the latent-coding interface of :mod:`~genlab.jobs.compress.latent`."""
    return "compress" in getattr(model, "capabilities", ()) and hasattr(model, "latent_posterior")


def _codec(
    model: Any,
    codec_id: int,
    param: int,
    lo: np.ndarray,
    batch: int,
    error: type,
    group: int,
    bins: Bins | None = None,
) -> Any:
    """The codec a file's header names, checked against the model and the memory bound
    (raises ``error`` if it does not fit)."""
    D = model.n_features_in_
    if codec_id == AUTOREGRESSIVE_CODEC and _is_autoregressive(model):
        if not 1 <= param <= MAX_ORDERS:
            raise error(f"n_orders must be in 1..{MAX_ORDERS}, got {param}")
        entries = group * param * D * int(grid_sizes(model.schema_, bins).max())
        codec: Any = OrderMixture(model, coding_orders(param, D), lo, batch, bins)
    elif codec_id == LATENT_CODEC and _is_latent(model):
        if not 1 <= param <= MAX_LATENT_BITS:
            raise error(f"latent_bits must be in 1..{MAX_LATENT_BITS}, got {param}")
        entries = group * sum(model.latent_dims) * (1 << param)
        codec = BitsBackLatent(model, param, lo)
    else:
        raise error(f"codec {codec_id} of this file does not fit a {type(model).__name__}")
    if entries > MAX_TABLE_ENTRIES:
        raise error(
            f"a coding group of {group} items needs {entries} table entries (at most "
            f"{MAX_TABLE_ENTRIES}): use a smaller group" + (" or a larger step" if bins else "")
        )
    return codec


def _check_model(model: Any) -> np.ndarray:
    """Check that ``model`` can code; the value of symbol 0 of each column, ``(D,)``."""
    if not (_is_autoregressive(model) or _is_latent(model)):
        raise CapabilityError(
            f"{type(model).__name__} cannot compress yet; families that can: "
            "AutoregressiveModel (ANS, mixture over orders by bits-back), VAE (BB-ANS) and "
            "HierarchicalVAE(inference='bottom_up') (Bit-Swap)"
        )
    if not hasattr(model, "schema_"):
        raise NotFittedError(f"this {type(model).__name__} is not fitted yet; call fit() first")
    if getattr(model, "classes_", None) is not None:
        raise CapabilityError("compress codes with unconditional models; fit without labels")
    if _is_latent(model) and not _is_autoregressive(model):
        check_latent_model(model)
        for c in model.schema_.columns:
            if c.kind == "continuous":
                raise CapabilityError(
                    f"column {c.name!r} is continuous: {type(model).__name__} codes discrete "
                    "columns; an AutoregressiveModel codes continuous ones on a stated step"
                )
    return symbol_bounds(model.schema_)[0]  # continuous columns: set to k_min by the caller
