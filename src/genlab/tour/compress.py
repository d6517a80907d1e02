"""The compress job in the tour: the test digits written by genlab's entropy coder (driven by
the autoregressive model) against standard compressors, with the exact round trip checked."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from genlab.report.html import Section, Table
from genlab.tour.context import Tour

GENLAB = "genlab AutoregressiveModel"  # the name of genlab's coder in the table

TEXT = (
    "An entropy coder driven by a model's probabilities writes each image in about "
    "−log2 p(x) bits, so the better the density, the shorter the file. The model is needed "
    "to decode (it is the shared codebook); the round trip is checked bit for bit."
)
CODE = "blob = genlab.compress(ar, test.X)\nassert (genlab.decompress(blob, ar) == test.X).all()"


def section_compress(tour: Tour) -> Section:
    """6. compress: genlab's coder vs standard compressors, exact round trip checked."""
    from genlab.report import charts

    _, test = tour.data("digits")
    ar = tour.model("digits-ar")
    images = np.asarray(test.X)
    n_pixels = images.size
    blob, exact, encode_s, decode_s = _round_trip(tour, ar, images)
    sizes = _sizes(blob, images)  # compressor -> bytes, genlab's first
    bits = {name: 8 * size / n_pixels for name, size in sizes.items()}
    ideal = ar.bits_per_dim(images)
    figure = tour.figure(
        charts.bits_per_pixel_figure(bits, ideal=ideal),
        "compress-bits",
        "Bits per pixel of each compressor on the test digits",
    )
    best = min(v for k, v in bits.items() if not k.startswith("genlab"))
    rows = [[k, sizes[k], bits[k], bits[k] / bits[GENLAB]] for k in sorted(bits, key=bits.get)]
    return Section(
        "compress",
        "6. Compress: lossless bytes of length ≈ −log2 p(x)",
        TEXT,
        code=CODE,
        figures=[figure],
        tables=[
            Table(
                ["compressor", "bytes", "bits per pixel", "× genlab's size"],
                rows,
                title=f"{len(images)} test digits, {n_pixels} pixels of 17 levels",
            )
        ],
        notes=[
            f"Exact round trip: {'yes' if exact else 'NO'} "
            f"(encode {encode_s:.2f} s, decode {decode_s:.2f} s).",
            f"Model −log2 p(x): {ideal:.3f} bits per pixel; the coder's overhead is "
            f"{bits[GENLAB] - ideal:+.3f}.",
            f"Best standard compressor: {best:.3f} bits per pixel.",
        ],
    )


def _round_trip(tour: Tour, ar: Any, images: np.ndarray) -> tuple[bytes, bool, float, float]:
    """Compress ``images`` with ``ar`` and back: (the bytes, whether exact, encode and decode
    seconds)."""
    import genlab

    with tour.step(f"compress {len(images)} test digits"):
        start = time.perf_counter()
        blob = genlab.compress(ar, images)
        encode_s = time.perf_counter() - start
        start = time.perf_counter()
        back = genlab.decompress(blob, ar)
        decode_s = time.perf_counter() - start
    exact = bool(np.array_equal(np.asarray(back), images))
    return blob, exact, encode_s, decode_s


def _sizes(blob: bytes, images: np.ndarray) -> dict[str, int]:
    """Bytes of genlab's file and of every standard compressor on ``images``."""
    from genlab.jobs.compress.baselines import standard_sizes

    return {GENLAB: len(blob), **standard_sizes(images)}
