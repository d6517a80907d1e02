"""Choose the ``latent_bits`` defaults of ``genlab.compress`` (8 for a VAE, 10 for a
hierarchy) on a validation split of the *training* digits (never the test split).

Fits the two latent-variable models the ``digits-compress`` suite codes with, at their
defaults (``VAE()`` and ``HierarchicalVAE(inference="bottom_up")``, training capped at
``MAX_TIME`` seconds here), on 1077 of the 1437 training digits of
``genlab.load_dataset("digits").split()`` (seeded permutation), then compresses the other 360
training digits by bits-back with ``latent_bits`` 6, 8, 10 and 12 and prints the size of each
file in bits per pixel (what the suite reports), beside the images' negative ELBO, and whether
the round trip was exact. The winner of each model is the smallest file.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python tools/choose_latent_bits.py [MAX_TIME]`` (default
60 s of training per model; a few minutes in all on 2 cores).
"""

from __future__ import annotations

import sys
import time

import numpy as np

import genlab
from genlab.core.units import nats_to_bits

CANDIDATES = (6, 8, 10, 12)


def sizes(model: object, images: np.ndarray) -> dict[int, float]:
    """``latent_bits`` -> bits per pixel of ``compress(model, images, latent_bits=...)``."""
    out = {}
    for bits in CANDIDATES:
        start = time.perf_counter()
        blob = genlab.compress(model, images, latent_bits=bits)
        exact = np.array_equal(genlab.decompress(blob, model), images)
        out[bits] = 8 * len(blob) / images.size
        print(
            f"  latent_bits={bits}: {out[bits]:.4f} bits/pixel, round trip "
            f"{'exact' if exact else 'NOT exact'} ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    return out


def main(max_time: float) -> None:
    train, _ = genlab.load_dataset("digits").split()
    order = np.random.default_rng(0).permutation(len(train))
    fit, held = train.subset(order[:1077]), train.X[order[1077:]]  # (360, 8, 8) integers
    models = {
        "VAE() (default latent_bits 8)": genlab.VAE(
            max_time=max_time, progress=False, random_state=0
        ),
        "HierarchicalVAE(inference='bottom_up') (default latent_bits 10)": genlab.HierarchicalVAE(
            inference="bottom_up", max_time=max_time, progress=False, random_state=0
        ),
    }
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(fit)
        result = model.train_result_
        elbo = model.elbo_terms(held)["elbo"]  # (360,) nats, one z sample each
        print(
            f"{name}: {result.epochs} epochs, stopped by {result.stopped_by}, "
            f"{time.perf_counter() - start:.0f} s; -ELBO of the 360 held-out training digits "
            f"{nats_to_bits(-float(elbo.sum())) / held.size:.4f} bits/pixel",
            flush=True,
        )
        got = sizes(model, held)
        print(f"  winner: latent_bits={min(got, key=got.get)}", flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
