"""Choose the sampling settings of the ``digits-superres`` suite's Diffusion on a validation
split of the *training* digits (never the test split).

Fits the suite's model on 1077 of the 1437 training digits (seeded permutation) and scores,
on the other 360, the RMSE of the mean of 16 draws for guidance 0 / 1 and eta 0 / 1 (the
suite then uses the best), beside the suite's KNN baseline fitted on the same 1077.

Run: ``.venv/bin/python tools/choose_superres.py`` (about 5 minutes on 2 cores).
"""

from __future__ import annotations

import numpy as np

import genlab
from genlab.bench.suites.digits_superres import DRAWS, SETTINGS, knn_regression, pool
from genlab.metrics.probes import rmse


def main() -> None:
    train, _ = genlab.load_dataset("digits").split()
    order = np.random.default_rng(0).permutation(len(train.X))
    fit, val = train.X[order[:1077]], train.X[order[1077:]].astype(float)
    low_fit, low_val = pool(fit.astype(float)), pool(val)
    pred, params = knn_regression(low_fit, fit.astype(float), low_val)
    print(f"KNN {params}: validation RMSE {rmse(pred, val):.3f}")
    fixed = {k: v for k, v in SETTINGS.items() if k not in ("guidance", "eta")}
    model = genlab.Diffusion(**fixed, progress=False, random_state=0)
    model.fit(fit, condition=genlab.Condition.image(low_fit))
    print(f"Diffusion{fixed}: {model.train_result_.epochs} epochs")
    for guidance in (0.0, 1.0):
        for eta in (0.0, 1.0):
            model.set_params(guidance=guidance, eta=eta)
            draws = [
                model.sample(len(val), condition=low_val, random_state=s) for s in range(DRAWS)
            ]
            mean = np.mean(np.asarray(draws, dtype=float), axis=0)
            print(
                f"guidance={guidance} eta={eta}: mean of {DRAWS} draws {rmse(mean, val):.3f}, "
                f"one draw {rmse(draws[0], val):.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
