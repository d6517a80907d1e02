"""Choose the ``beta`` of the ``digits-represent`` suite's class-prior VAEs
(``genlab.VAE(latent_prior=class)``, :data:`~genlab.bench.suites.digits_represent.VAE_SETTINGS`)
on a validation split of the *training* digits (never the test split).

Fits the suite's settings for ``latent_dim`` 2 and 8 with ``beta`` 1, 2, 4 and 8 on 1077 of
the 1437 training digits of ``genlab.load_dataset("digits").split()`` (seeded permutation,
training labels for the class prior) and scores the other 360 training digits as the suite
scores the test digits: ``probe_accuracy`` (logistic regression on the codes),
``knn_probe_accuracy`` (5-NN) and ``recon_rmse`` (pixel levels). ``beta`` trades
reconstruction for separation, so the tool prints all three; its winner is the best 5-NN
probe, the separation the suite's 2-D latent map shows. Training is capped at ``MAX_TIME``
seconds per fit here (the suite allows 240-300 s): a shorter run than the suite's.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python tools/choose_vae_beta.py [MAX_TIME] [DIMS]``
(defaults 60 s and ``2,8``; eight fits, about ten minutes on 2 cores).
"""

from __future__ import annotations

import sys
import time

import numpy as np

import genlab
from genlab.bench.suites.digits_represent import CLASS_PRIOR, VAE_SETTINGS
from genlab.metrics.probes import knn_probe_accuracy, probe_accuracy, recon_rmse

CANDIDATES = (1.0, 2.0, 4.0, 8.0)


def scores(settings: dict, fit, val) -> dict[str, float]:
    """The suite's three metrics of one fit, on the validation digits."""
    vae = genlab.VAE(**settings, progress=False, random_state=0).fit(fit, fit.y)
    Zfit, Zval = vae.encode(fit.X), vae.encode(val.X)
    result = vae.train_result_
    print(f"    {result.epochs} epochs, stopped by {result.stopped_by}", flush=True)
    return {
        "probe_accuracy": probe_accuracy(Zfit, fit.y, Zval, val.y),
        "knn_probe_accuracy": knn_probe_accuracy(Zfit, fit.y, Zval, val.y),
        "recon_rmse": recon_rmse(val.X, np.asarray(vae.decode(Zval)).reshape(val.X.shape)),
    }


def main(max_time: float, dims: tuple[int, ...]) -> None:
    train, _ = genlab.load_dataset("digits").split()
    order = np.random.default_rng(0).permutation(len(train))
    fit, val = train.subset(order[:1077]), train.subset(order[1077:])
    for d in dims:
        suite = VAE_SETTINGS[CLASS_PRIOR, d]
        print(f"latent_dim={d}: suite settings {suite} (max_time {max_time:g} here)")
        knn = {}
        for beta in CANDIDATES:
            start = time.perf_counter()
            print(f"  beta={beta:g}:", flush=True)
            got = scores({**suite, "beta": beta, "max_time": max_time}, fit, val)
            knn[beta] = got["knn_probe_accuracy"]
            text = ", ".join(f"{k} {v:.3f}" for k, v in got.items())
            print(f"    {text} ({time.perf_counter() - start:.0f} s)", flush=True)
        best = max(knn, key=knn.get)
        print(f"  winner (best 5-NN probe): beta={best:g}; suite: beta={suite['beta']:g}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(
        float(args[0]) if args else 60.0,
        tuple(int(d) for d in args[1].split(",")) if len(args) > 1 else (2, 8),
    )
