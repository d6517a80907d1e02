"""The text and code section of the tour: a small byte-level :class:`~genlab.SequenceModel`
trained on the installed Python standard library (:func:`~genlab.data.text.load_python_code`,
a prefix of its training files), a completion from a prompt, and one held-out file coded by
genlab's entropy coder against standard compressors, with the exact round trip checked.

The model trains for its share of the budget (``code-sequence`` in
:data:`~genlab.tour.context.SHARES`) and is cached in ``OUT/models/code-sequence`` like the
other tour models: reused when its settings and training texts are unchanged.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import time
from typing import Any

from genlab.report.html import Section, Table
from genlab.tour.context import SHARES, Tour, settings_note

NAME = "code-sequence"  # the model's name in the cache and the budget shares
GENLAB = "genlab SequenceModel"
HELD_OUT = "json/decoder.py"  # the smallest held-out file: decoding it fits the tour's time
TRAIN_BYTES, TRAIN_BYTES_FAST = 1_000_000, 60_000  # prefix of the training files
HELD_OUT_BYTES_FAST = 1_500
PROMPT = 'def read_config(path):\n    """Read a JSON configuration file and return a dict."""\n'
TEMPERATURE = 0.8
FULL = {"context": 128, "width": 96, "depth": 2, "heads": 4, "steps_per_epoch": 50}
FULL |= {"max_epochs": 500, "patience": 5, "lr": 2e-3, "batch_size": 32}
TINY = {"context": 32, "width": 16, "depth": 1, "heads": 2, "steps_per_epoch": 5}
TINY |= {"max_epochs": 2, "lr": 3e-3, "batch_size": 16}

TEXT = (
    "A language model over bytes predicts each next byte of a text from the bytes before it "
    "(a decoder-only Transformer; any byte string is a valid input). Trained here on the "
    "installed Python standard library, it continues a prompt by drawing one byte at a time, "
    "and its probabilities drive the same entropy coder as the images: a held-out file that "
    "the model finds likely takes few bits. The file is decoded back and checked byte for "
    "byte; the model is the shared codebook."
)


def section_text(tour: Tour) -> Section:
    """9. text and code: a completion from a prompt, a held-out file compressed, round trip."""
    from genlab.data.text import load_python_code

    corpus = load_python_code()
    fast = tour.config.fast
    texts = _training_texts(corpus.train_texts(), fast)
    model = fitted_model(tour, texts)
    data = dict(corpus.test)[HELD_OUT]
    data = data[:HELD_OUT_BYTES_FAST] if fast else data
    with tour.step("complete a prompt with the sequence model"):
        completion = model.sample(
            1,
            prompt=PROMPT,
            max_new_tokens=60 if fast else 300,
            temperature=TEMPERATURE,
            stop=["\ndef ", "\nclass "],
            random_state=tour.config.seed,
        )[0]
    blob, exact, encode_s, decode_s = _round_trip(tour, model, data)
    sizes = {GENLAB: len(blob), **standard_sizes(data)}
    bits = {name: 8 * size / len(data) for name, size in sizes.items()}
    ideal = model.bits_per_byte([data])
    rows = [[k, sizes[k], bits[k], bits[k] / bits[GENLAB]] for k in sorted(bits, key=bits.get)]
    part = "" if len(data) == len(dict(corpus.test)[HELD_OUT]) else f" (first {len(data)} bytes)"
    return Section(
        "text",
        "9. Text and code: complete a prompt, compress a held-out file",
        TEXT,
        code=_code(completion),
        figures=[_figure(tour, bits, ideal, f"{HELD_OUT}{part}")],
        tables=[
            Table(
                ["compressor", "bytes", "bits per byte", "× genlab's size"],
                rows,
                title=f"held-out {HELD_OUT}{part}: {len(data)} bytes",
            )
        ],
        notes=[
            f"Exact round trip: {'yes' if exact else 'NO'} "
            f"(encode {encode_s:.2f} s, decode {decode_s:.2f} s).",
            f"Model −log2 p: {ideal:.3f} bits per byte (the end of the file included).",
            f"Model: {settings_note(model)}, trained on the first {sum(map(len, texts))} "
            f"bytes of the training files ({len(texts)} files); "
            f"sampled at temperature {TEMPERATURE}, stopped at the next top-level def/class.",
        ],
    )


def _training_texts(texts: list[bytes], fast: bool) -> list[bytes]:
    """The training files in order until ``TRAIN_BYTES`` (the last one cut)."""
    budget, out = TRAIN_BYTES_FAST if fast else TRAIN_BYTES, []
    for text in texts:
        if budget <= 0:
            break
        out.append(text[:budget])
        budget -= len(out[-1])
    return out


def fitted_model(tour: Tour, texts: list[bytes]) -> Any:
    """The tour's sequence model: from ``OUT/models/code-sequence`` when its settings and
    training texts are unchanged, else trained now (within its share of the budget)."""
    import genlab

    settings = {**(TINY if tour.config.fast else FULL), "random_state": tour.config.seed}
    settings["max_time"] = tour.budget.share(SHARES[NAME])
    model = genlab.SequenceModel(**settings, progress=not tour.config.quiet)
    return tour.fit_or_reuse(NAME, model, cache_key(model, texts), lambda: model.fit(texts))


def cache_key(model: Any, texts: list[bytes]) -> str:
    """Hash of the model's settings (progress aside) and of its training texts."""
    params = {k: v for k, v in model.get_params().items() if k != "progress"}
    digest = hashlib.sha256()
    for text in texts:
        digest.update(len(text).to_bytes(8, "little") + text)
    text = json.dumps([model.family, params, digest.hexdigest()], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def standard_sizes(data: bytes) -> dict[str, int]:
    """Bytes of ``data`` under gzip -9, bz2 -9, xz -9e and zstd -19."""
    import zstandard

    return {
        "gzip-9": len(gzip.compress(data, compresslevel=9, mtime=0)),
        "bz2-9": len(bz2.compress(data, compresslevel=9)),
        "xz-9e": len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME)),
        "zstd-19": len(zstandard.ZstdCompressor(level=19).compress(data)),
    }


def _round_trip(tour: Tour, model: Any, data: bytes) -> tuple[bytes, bool, float, float]:
    """Compress ``data`` and back: (the file, whether exact, encode and decode seconds)."""
    import genlab

    with tour.step(f"compress {HELD_OUT} with the sequence model"):
        start = time.perf_counter()
        blob = genlab.compress(model, data)
        encode_s = time.perf_counter() - start
        start = time.perf_counter()
        back = genlab.decompress(blob, model)
        decode_s = time.perf_counter() - start
    return blob, back == data, encode_s, decode_s


def _figure(tour: Tour, bits: dict[str, float], ideal: float, what: str) -> Any:
    from genlab.report import charts

    fig = charts.bits_per_pixel_figure(bits, ideal=ideal)
    ax = fig.axes[0]
    ax.set_xlabel("bits per byte (lower is better; raw text: 8)")
    ax.set_title(f"Lossless compression of {what}")
    return tour.figure(fig, "text-bits", f"Bits per byte of each compressor on {what}")


def _code(completion: Any) -> str:
    text = completion if isinstance(completion, str) else completion.decode("utf-8", "replace")
    calls = (
        "corpus = genlab.data.text.load_python_code()        # the installed stdlib's .py files\n"
        "m = genlab.SequenceModel(context=128, width=96).fit(corpus.train_texts())\n"
        f"m.sample(1, prompt=PROMPT, temperature={TEMPERATURE}, stop=['\\ndef ', '\\nclass '])\n"
        "blob = genlab.compress(m, data)                      # data: the held-out file's bytes\n"
        "assert genlab.decompress(blob, m) == data\n"
    )
    return f"{calls}\n# PROMPT, then the continuation the model drew:\n{PROMPT}{text}"
