"""How well could any imputer fill the impute suite's tables? Oracles that no imputer has.

Two oracles, both cross-fitted (10 folds) on information that no imputer of the case sees:

* *mixture*: for each tabular case of the ``impute`` suite (same standardization, same MCAR
  holes), a Gaussian mixture is fitted on the *complete* values of the other rows, the holes
  of each row included, and fills that row's holes with its conditional mean. No imputer sees
  those values, so its RMSE is a level that a mixture imputer fitted on the holed table itself
  should not expect to beat by much.
* *full information* (any method, generative or not): each hole ``(i, j)`` is predicted from
  the true values of *all* the other columns of row ``i`` (its other holes included) by a
  regressor trained on the complete other rows: ExtraTrees (what ``IterativeImputer`` with
  ExtraTrees would be with nothing missing), a Gaussian process (RBF with one length scale per
  column, plus noise) and ridge, and the average of the three. An imputer sees less of every
  row and trains on a holed table, so these RMSEs are a floor it should not expect to reach.
  Only on the cases in :data:`FULL_INFORMATION` (wine: breast_cancer's 30 columns would make the
  Gaussian processes far slower).

Run it from the repository root (it takes minutes):

    .venv/bin/python tools/impute_headroom.py

It prints one line per case and oracle, beside the best scikit-learn baseline of the last
``genlab bench impute`` run when ``runs/bench-impute/results.json`` exists.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

import genlab
from genlab.bench.suites.impute import TABULAR_CASES, tabular_data
from genlab.jobs.impute import impute
from genlab.metrics import rmse

FULL_INFORMATION = ("wine",)  # datasets that get the full-information oracle


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


def full_information_fills(X: np.ndarray, holes: np.ndarray) -> dict[str, np.ndarray]:
    """Regressor name -> ``X`` with each hole predicted from the row's other true values."""
    from sklearn.ensemble import ExtraTreesRegressor
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
    from sklearn.linear_model import RidgeCV

    n_features = X.shape[1]
    regressors = {
        "ExtraTrees": lambda: ExtraTreesRegressor(100, random_state=0),
        "Gaussian process": lambda: GaussianProcessRegressor(
            ConstantKernel() * RBF(np.full(n_features - 1, 3.0)) + WhiteKernel(0.3),
            normalize_y=True,
        ),
        "ridge": lambda: RidgeCV(alphas=np.logspace(-3, 3, 13)),
    }
    fills = {name: holes.copy() for name in regressors}
    for j in np.flatnonzero(np.isnan(holes).any(axis=0)):
        others = np.delete(X, j, axis=1)  # (N, D-1) true values, the other holes included
        for fit_rows, fill_rows in KFold(10, shuffle=True, random_state=0).split(X):
            fill_rows = fill_rows[np.isnan(holes[fill_rows, j])]
            if not len(fill_rows):
                continue
            for name, make in regressors.items():
                model = make().fit(others[fit_rows], X[fit_rows, j])
                fills[name][fill_rows, j] = model.predict(others[fill_rows])
    fills["average of the three"] = np.mean(list(fills.values()), axis=0)
    return fills


def _report(case: str, what: str, value: float, baselines: dict[str, float]) -> None:
    best = baselines.get(case)
    ratio = f"  {value / best:.3f}x best baseline" if best else ""
    print(f"{case}  {what}: RMSE {value:.4f}{ratio}", flush=True)


def main() -> None:
    warnings.simplefilter("ignore")
    baselines = best_baselines()
    for name, rate in TABULAR_CASES:
        X, holes = tabular_data(name, rate)
        case = f"{name}@mcar{rate}"
        for q in (None, max(1, X.shape[1] // 3)):  # full and low-rank, as the suite's candidates
            for k in range(1, 6):
                what = f"K={k}" if q is None else f"K={k}, n_factors={q}"
                value = cross_fitted_rmse(X, holes, k, q)
                _report(case, f"oracle mixture {what}", value, baselines)
        if name not in FULL_INFORMATION:
            continue
        for what, filled in full_information_fills(X, holes).items():
            value = rmse(filled, X, np.isnan(holes))
            _report(case, f"full information, {what}", value, baselines)


if __name__ == "__main__":
    main()
