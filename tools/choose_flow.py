"""Check ``Flow``'s small-table defaults on validation splits of the *training* rows (never the
test split).

For wine and breast_cancer, the training split of ``genlab.load_dataset(name).split()`` is cut
by a seeded permutation into a fitting part (80%) and a validation part (20%), standardized with
the fitting part's statistics (as the ``tabular-density`` suite standardizes with the training
split's). Each candidate of :data:`CANDIDATES` (the defaults, and one setting changed at a
time: input noise off or tripled, Gaussian instead of Student-t tails, weight decay off) is
fitted on the fitting part and scored on the validation part: mean NLL in nats per row, ±
its standard error over rows, and the paired difference to the defaults (± its standard
error over rows). The winner is the candidate with the smallest mean NLL over the datasets.

One validation split of 29 (wine) and 91 (breast_cancer) rows is a small sample: read the
paired standard errors before changing a default.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python tools/choose_flow.py`` (a few minutes on 2 cores).
"""

from __future__ import annotations

import time

import numpy as np

import genlab

DATASETS = ("wine", "breast_cancer")
#: name -> settings changed from ``Flow()``'s defaults.
CANDIDATES: dict[str, dict] = {
    "defaults": {},
    "noise_std=0": {"noise_std": 0.0},
    "noise_std=0.3": {"noise_std": 0.3},
    "tails='gaussian'": {"tails": "gaussian"},
    "weight_decay=0": {"weight_decay": 0.0},
}


def validation_split(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Fitting and validation rows of ``name``'s training split, standardized with the
    fitting rows' statistics."""
    train, _ = genlab.load_dataset(name).split()
    X = train.flat()
    order = np.random.default_rng(0).permutation(len(X))
    cut = round(0.8 * len(X))
    fit, val = X[order[:cut]], X[order[cut:]]
    mean, std = fit.mean(axis=0), fit.std(axis=0)
    std[std == 0] = 1.0
    return (fit - mean) / std, (val - mean) / std


def main() -> None:
    mean_nll = {name: [] for name in CANDIDATES}
    for dataset in DATASETS:
        fit, val = validation_split(dataset)
        print(f"{dataset}: {len(fit)} fitting rows, {len(val)} validation rows", flush=True)
        nll = {}
        for name, settings in CANDIDATES.items():
            start = time.perf_counter()
            flow = genlab.Flow(**settings, progress=False, random_state=0).fit(fit)
            nll[name] = -flow.log_prob(val)  # (N,) nats
            diff = nll[name] - nll["defaults"]
            se = np.sqrt(len(val))
            print(
                f"  {name}: NLL {nll[name].mean():.3f} ± {nll[name].std() / se:.3f}; "
                f"minus defaults {diff.mean():+.3f} ± {diff.std() / se:.3f}; "
                f"{flow.train_result_.epochs} epochs, stopped by "
                f"{flow.train_result_.stopped_by} ({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
            mean_nll[name].append(float(nll[name].mean()))
    overall = {name: float(np.mean(v)) for name, v in mean_nll.items()}
    print("mean NLL over the datasets: " + ", ".join(f"{k} {v:.3f}" for k, v in overall.items()))
    print(f"winner: {min(overall, key=overall.get)}")


if __name__ == "__main__":
    main()
