"""Choose ``GaussianMixture``'s ``prior`` default by cross-validation on the *training* split
only (never the test split).

For each dataset, the training split of ``genlab.load_dataset(name).split()`` (breast_cancer:
455 rows, wine: 142; digits: 1437 images with ``--digits``) is cut into ``FOLDS`` shuffled folds
(seed 0). Each candidate prior weight ``w`` (``GaussianMixture(prior=w)``: ``w·(d + 2)``
pseudo-rows of the target covariance per component; 0 is maximum likelihood, 1 is
``prior=True``, the default) is fitted on all folds but one, with every other setting at its
default (components by the model's own 5-fold CV, inside the fitting folds), and scores the
held-out fold: mean negative log-likelihood in nats per row. Tables are standardized with the
fitting folds' statistics, as the ``tabular-density`` suite standardizes with the training
split's; digits stay on their 0..16 grid (a dequantized bound, as in ``digits-density``).

It prints each candidate's NLL (mean over folds ± standard error over folds) and its paired
difference to ``w = 1`` (mean ± standard error of the per-fold differences), the best
candidate of each dataset and the winner: the smallest mean gap to each dataset's best.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python tools/choose_gmm_prior.py [--digits]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.model_selection import KFold

import genlab

FOLDS = 5
CANDIDATES = (0.0, 0.1, 1.0, 10.0)  # prior weights w; 1.0 is the default (prior=True)
DEFAULT = 1.0


def _standardized(fit: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, std = fit.mean(axis=0), fit.std(axis=0)
    std[std == 0] = 1.0
    return (fit - mean) / std, (held - mean) / std


def fold_nlls(name: str) -> dict[float, np.ndarray]:
    """Candidate -> held-out NLL (nats per row) of each fold of ``name``'s training split."""
    train, _ = genlab.load_dataset(name).split()
    images = train.schema.image_shape is not None
    folds = KFold(FOLDS, shuffle=True, random_state=0).split(np.arange(len(train)))
    nll: dict[float, list[float]] = {w: [] for w in CANDIDATES}
    for fit_rows, held_rows in folds:
        if images:  # integer pixels: the model dequantizes, as in digits-density
            fit, held = train.X[fit_rows], train.X[held_rows]
        else:
            fit, held = _standardized(train.flat()[fit_rows], train.flat()[held_rows])
        for w in CANDIDATES:
            model = genlab.GaussianMixture(prior=w).fit(fit)
            nll[w].append(-float(np.mean(model.log_prob(held))))
    return {w: np.asarray(v) for w, v in nll.items()}


def report(name: str, nll: dict[float, np.ndarray], seconds: float) -> dict[float, float]:
    """Print the candidates' validation NLLs; return each one's gap to the best mean."""
    print(f"{name}: {FOLDS}-fold CV on the training split ({seconds:.0f} s)")
    se = np.sqrt(FOLDS)
    for w, values in nll.items():
        diff = values - nll[DEFAULT]
        print(
            f"  prior={w:g}: NLL {values.mean():.3f} ± {values.std(ddof=1) / se:.3f}; "
            f"minus prior={DEFAULT:g}: {diff.mean():+.3f} ± {diff.std(ddof=1) / se:.3f}"
        )
    best = min(nll, key=lambda w: nll[w].mean())
    print(f"  best on {name}: prior={best:g}", flush=True)
    return {w: float(values.mean() - nll[best].mean()) for w, values in nll.items()}


def main(names: tuple[str, ...]) -> None:
    gaps = []
    for name in names:
        start = time.perf_counter()
        nll = fold_nlls(name)
        gaps.append(report(name, nll, time.perf_counter() - start))
    mean_gap = {w: float(np.mean([g[w] for g in gaps])) for w in CANDIDATES}
    winner = min(mean_gap, key=mean_gap.get)
    gaps_text = ", ".join(f"prior={w:g}: {g:.3f}" for w, g in mean_gap.items())
    print(f"mean gap to each dataset's best (nats): {gaps_text}")
    print(f"winner: prior={winner:g} (default: prior=True, i.e. {DEFAULT:g})")


if __name__ == "__main__":
    main(("breast_cancer", "wine") + (("digits",) if "--digits" in sys.argv[1:] else ()))
