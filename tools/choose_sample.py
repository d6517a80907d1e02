"""Choose the ``digits-sample`` suite's Diffusion settings on a validation split of the
*training* digits (never the test split).

Fits class-conditional Diffusion models on 1077 of the 1437 training digits (seeded
permutation): the family's defaults (early stopping on the validation loss), and a longer run
(no early stopping, ``max_time`` seconds). For each, it draws 36 digits per class for
guidance 0 / 0.5 / 1 / 2, eta 0 / 1 and 50 / 250 sampling steps, and scores them as the
suite does, against the other 360 training digits: ``fd_ratio`` (reference: 360 of the
1077), ``conditional_accuracy`` and ``c2st_accuracy``. The suite then uses the settings with
the lowest validation ``fd_ratio`` among those whose conditional accuracy is at least 0.98.

Run: ``.venv/bin/python tools/choose_sample.py [MAX_TIME]`` (about 15 minutes on 2 cores at
the default 300 s).
"""

from __future__ import annotations

import sys
import time
from itertools import product

import numpy as np

import genlab
from genlab.metrics.samples import c2st_accuracy, conditional_accuracy, digits_classifier, fd_ratio

PER_CLASS = 36


def main(max_time: float) -> None:
    train, _ = genlab.load_dataset("digits").split()
    order = np.random.default_rng(0).permutation(len(train.X))
    fit_rows, val_rows = order[:1077], order[1077:]
    X, y = train.X[fit_rows], train.y[fit_rows]
    val = train.X[val_rows]
    reference = X[np.random.default_rng(1).permutation(len(X))[: len(val)]]
    labels = np.repeat(np.arange(10), PER_CLASS)
    clf = digits_classifier()
    runs = {
        "defaults": {},
        f"max_time={max_time:g}, no early stopping": {
            "max_epochs": 100_000,
            "patience": 100_000,
            "max_time": max_time,
        },
    }
    for name, settings in runs.items():
        start = time.perf_counter()
        model = genlab.Diffusion(**settings, progress=False, random_state=0).fit(X, y)
        result = model.train_result_
        print(
            f"{name}: {result.epochs} epochs, stopped by {result.stopped_by}, "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )
        for guidance, eta, steps in product((0.0, 0.5, 1.0, 2.0), (0.0, 1.0), (50, 250)):
            model.set_params(guidance=guidance, eta=eta, steps=steps)
            samples = model.sample(len(labels), condition=labels, random_state=0)
            fd = fd_ratio(samples, val, reference, clf)
            acc = conditional_accuracy(samples, labels, clf)
            c2st = c2st_accuracy(samples, val, classifier=clf)
            print(
                f"  guidance={guidance} eta={eta} steps={steps}: fd_ratio {fd:.3f}, "
                f"conditional_accuracy {acc:.3f}, c2st {c2st:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 300.0)
