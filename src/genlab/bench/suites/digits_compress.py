"""Suite ``digits-compress``: lossless compression of the 360 held-out digits (values 0..16).

Split of DESIGN.md (``load_dataset("digits").split()``). ``bits_per_dim`` is ``8 * bytes /
pixels`` of the actual output, header and checksum included:

* genlab's :class:`~genlab.AutoregressiveModel`, trained as in ``digits-density``, coded with
  :func:`genlab.compress` by one order and by the mixture over K orders (bits-back over the
  order index), all 360 images in one file; for each, ``overhead_pct`` (file bits against
  the model's own ``-log2 p`` of the same images), ``roundtrip_exact`` and ``seconds``
  (compress + decompress);
* the same model in per-image mode (each image its own file) on the first images;
* genlab's :class:`~genlab.VAE` (BB-ANS) and a bottom-up :class:`~genlab.HierarchicalVAE`
  (Bit-Swap), default settings: bits, ``overhead_pct`` against the negative ELBO after the
  initial bits, which get their own row (``initial_bits``);
* ``gzip-9``, ``bz2-9``, ``xz-9e``, ``zstd-19`` on the raw bytes, ``png`` and
  ``webp-lossless`` on the mosaic (:func:`~genlab.jobs.compress.baselines.standard_sizes`).

``quick=True`` trains a tiny network for a few epochs on fewer images: rows are well-formed
but the numbers are not the benchmark.
"""

from __future__ import annotations

import math
import time

import numpy as np

from genlab.bench.rows import Row
from genlab.bench.suites.digits_density import AUTOREGRESSIVE, QUICK_AUTOREGRESSIVE
from genlab.core.units import nats_to_bits
from genlab.data.datasets import load_dataset
from genlab.jobs.compress.baselines import standard_sizes
from genlab.jobs.compress.format import unpack

NAME = "digits-compress"
ORDERS = (1, 4, 6, 8)
QUICK_ORDERS = (1, 2)
PER_IMAGE = 40  # images coded one file each (each file decodes sequentially)


def _row(method: str, metric: str, value: float, seconds: float | None, note: str) -> Row:
    higher = metric == "roundtrip_exact"
    return Row(NAME, "compress", "digits", method, metric, value, higher, seconds, note)


def model_rows(
    model: object, images: np.ndarray, orders: tuple[int, ...], fit_note: str
) -> list[Row]:
    """The whole test set in one file per K: bits, overhead against ``-log2 p``, round trip."""
    import genlab
    from genlab.jobs.compress.codecs import coding_orders

    pixels = images.size
    rows = []
    for k in orders:
        start = time.perf_counter()
        blob = genlab.compress(model, images, n_orders=k)
        back = genlab.decompress(blob, model)
        seconds = time.perf_counter() - start
        per_order = model.log_prob_orders(images, orders=coding_orders(k, images[0].size))
        ideal = nats_to_bits(-(np.logaddexp.reduce(per_order, axis=1) - math.log(k)).sum())
        actual = 8 * len(blob)
        method = f"genlab.AutoregressiveModel(n_orders={k})"
        what = "raster order" if k == 1 else f"mixture over {k} orders, bits-back over the order"
        note = f"{what}; model -log2 p = {ideal / pixels:.4f} bits/pixel; {fit_note}"
        exact = float(np.array_equal(back, images))
        rows += [
            _row(method, "bits_per_dim", actual / pixels, seconds, note),
            _row(method, "overhead_pct", 100 * (actual - ideal) / ideal, seconds, note),
            _row(method, "roundtrip_exact", exact, seconds, note),
        ]
    return rows


def per_image_rows(model: object, images: np.ndarray, k: int) -> list[Row]:
    """Each image its own file: bits per pixel and overhead (headers, words, initial bits)."""
    import genlab
    from genlab.jobs.compress.codecs import coding_orders

    start = time.perf_counter()
    blobs = [genlab.compress(model, x[None], n_orders=k) for x in images]
    exact = all(
        np.array_equal(genlab.decompress(b, model), x[None])
        for b, x in zip(blobs, images, strict=True)
    )
    seconds = time.perf_counter() - start
    per_order = model.log_prob_orders(images, orders=coding_orders(k, images[0].size))
    ideal = nats_to_bits(-(np.logaddexp.reduce(per_order, axis=1) - math.log(k)).sum())
    actual = 8 * sum(len(b) for b in blobs)
    method = f"genlab.AutoregressiveModel(n_orders={k}), per image"
    note = (
        f"{len(images)} files of one image; mean {np.mean([len(b) for b in blobs]):.1f} bytes "
        f"per file, of which 27 header + 4 CRC; round trip {'exact' if exact else 'FAILED'}"
    )
    return [
        _row(method, "bits_per_dim", actual / images.size, seconds, note),
        _row(method, "overhead_pct", 100 * (actual - ideal) / ideal, seconds, note),
    ]


def latent_rows(model: object, images: np.ndarray, method: str, fit_note: str) -> list[Row]:
    """A (hierarchical) VAE by bits-back: bits, overhead against its negative ELBO (after the
    initial bits, measured as ``2 * bytes(X) - bytes(X, X)``: the second copy of the images
    finds a full stack), the initial bits themselves, and the round trip."""
    import genlab

    start = time.perf_counter()
    blob = genlab.compress(model, images)
    back = genlab.decompress(blob, model)
    seconds = time.perf_counter() - start
    twice = genlab.compress(model, np.concatenate([images, images]))
    header, _ = unpack(blob)
    initial = 8 * (2 * len(blob) - len(twice))
    elbo = model.elbo_terms(images)["elbo"]  # (N,) nats, one z sample
    ideal = nats_to_bits(-float(elbo.sum()))
    actual = 8 * len(blob)
    note = (
        f"bits-back, {header.param} bits per latent dimension; "
        f"-ELBO = {ideal / images.size:.4f} "
        f"bits/pixel; initial bits {initial} ({initial / images.size:.4f} bits/pixel); "
        f"{fit_note}"
    )
    return [
        _row(method, "bits_per_dim", actual / images.size, seconds, note),
        _row(method, "overhead_pct", 100 * (actual - initial - ideal) / ideal, seconds, note),
        _row(method, "initial_bits", float(initial), seconds, note),
        _row(method, "roundtrip_exact", float(np.array_equal(back, images)), seconds, note),
    ]


def baseline_rows(images: np.ndarray) -> list[Row]:
    start = time.perf_counter()
    sizes = standard_sizes(images)
    seconds = time.perf_counter() - start
    notes = {"png": "mosaic of the images", "webp-lossless": "mosaic of the images (Pillow)"}
    return [
        _row(name, "bits_per_dim", 8 * size / images.size, seconds, notes.get(name, "raw bytes"))
        for name, size in sizes.items()
    ]


def run(*, quick: bool = False) -> list[Row]:
    """Every method on the same 360 test images; bits per pixel (lower is better)."""
    import genlab

    train, test = load_dataset("digits").split()
    images = test.X if not quick else test.X[:40]  # (360, 8, 8) integers 0..16
    settings = {**AUTOREGRESSIVE, **(QUICK_AUTOREGRESSIVE if quick else {})}
    start = time.perf_counter()
    model = genlab.AutoregressiveModel(**settings, progress=False, random_state=0).fit(train)
    fit_note = f"{model.train_result_.epochs} epochs in {time.perf_counter() - start:.0f} s"
    orders = QUICK_ORDERS if quick else ORDERS
    rows = model_rows(model, images, orders, fit_note)
    rows += per_image_rows(model, images[: 5 if quick else PER_IMAGE], 1)
    tiny = {"max_epochs": 2} if quick else {}
    for method, latent in {
        "genlab.VAE": genlab.VAE(progress=False, **tiny),
        "genlab.HierarchicalVAE(bottom_up)": genlab.HierarchicalVAE(
            inference="bottom_up", progress=False, **tiny
        ),
    }.items():
        start = time.perf_counter()
        latent.fit(train)
        note = f"{latent.train_result_.epochs} epochs in {time.perf_counter() - start:.0f} s"
        rows += latent_rows(latent, images, method, note)
    rows += baseline_rows(images)
    return rows
