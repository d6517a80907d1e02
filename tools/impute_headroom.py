"""How well could any mixture impute the impute suite's tables? An oracle that no imputer has.

For each tabular case of the ``impute`` suite (same standardization, same MCAR holes), a
Gaussian mixture is fitted by 10-fold cross-fitting on the *complete* values of the other
rows, the holes of each row included, and fills that row's holes with its conditional mean.
No imputer sees those values, so its RMSE is a level that a mixture imputer fitted on the
holed table itself should not expect to beat by much. Run it from the repository root:

    .venv/bin/python tools/impute_headroom.py

It prints one line per case, number of components and covariance (full or low-rank), beside
the best scikit-learn baseline of the last ``genlab bench impute`` run when
``runs/bench-impute/results.json`` exists.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

import genlab
from genlab.bench.suites.impute import TABULAR_CASES, tabular_data
from genlab.metrics import rmse
from genlab.tasks.impute import impute


def best_baselines(path: Path = Path("runs/bench-impute/results.json")) -> dict[str, float]:
    """Case -> the best scikit-learn RMSE of a saved run (empty without one)."""
    if not path.exists():
        return {}
    best: dict[str, float] = {}
    for row in json.loads(path.read_text())["rows"]:
        if row["metric"] == "rmse" and row["method"].startswith("sklearn"):
            best[row["dataset"]] = min(best.get(row["dataset"], np.inf), row["value"])
    return best


def cross_fitted_rmse(
    X: np.ndarray, holes: np.ndarray, n_components: int, n_factors: int | None = None
) -> float:
    """RMSE on the holes of mixtures fitted on the complete other rows (10 folds)."""
    filled = holes.copy()
    for fit_rows, fill_rows in KFold(10, shuffle=True, random_state=0).split(X):
        model = genlab.GaussianMixture(n_components=n_components, prior=0.1, n_factors=n_factors)
        model.fit(X[fit_rows])
        filled[fill_rows] = impute(model, holes[fill_rows], method="mean")
    return rmse(filled, X, np.isnan(holes))


def main() -> None:
    warnings.simplefilter("ignore")
    baselines = best_baselines()
    for name, rate in TABULAR_CASES:
        X, holes = tabular_data(name, rate)
        case = f"{name}@mcar{rate}"
        for q in (None, max(1, X.shape[1] // 3)):  # full and low-rank, as the suite's candidates
            for k in range(1, 6):
                value = cross_fitted_rmse(X, holes, k, q)
                best = baselines.get(case)
                ratio = f"  {value / best:.3f}x best baseline" if best else ""
                what = f"K={k}" if q is None else f"K={k}, n_factors={q}"
                print(f"{case}  oracle mixture {what}: RMSE {value:.4f}{ratio}", flush=True)


if __name__ == "__main__":
    main()
