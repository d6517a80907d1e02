"""Suite ``tabular-density``: held-out NLL (nats) on wine and breast_cancer.

Split and scaling of DESIGN.md: ``train_test_split(test_size=0.2, random_state=0)`` stratified,
columns standardized with training statistics. genlab's KDE (CV bandwidth) and
``GaussianMixture`` with its defaults (the number of components by 5-fold held-out likelihood
on the training rows, and a normal-inverse-Wishart prior on the covariances) against
scikit-learn's ``KernelDensity`` (GridSearchCV bandwidth) and ``GaussianMixture`` (components by
BIC, maximum likelihood): the comparison is of the two libraries' ways to choose, not of BIC;
``genlab.Flow`` against zuko's NSF and MAF with default settings in a plain training loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from genlab.bench.baselines import sklearn_gmm_bic, sklearn_kde_cv, zuko_flow_default
from genlab.bench.rows import Row
from genlab.data.datasets import load_dataset

NAME = "tabular-density"
DATASETS = ("wine", "breast_cancer")


def standardized_split(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Train/test matrices of a bundled table, standardized with the training statistics."""
    train, test = load_dataset(name).split()
    Xtr, Xte = train.flat(), test.flat()
    mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
    std[std == 0] = 1.0
    return (Xtr - mean) / std, (Xte - mean) / std


def methods() -> dict[str, Callable[[np.ndarray], Callable[[np.ndarray], np.ndarray]]]:
    """method name -> fit(X_train) returning a log-density function of X_test."""
    import genlab

    return {
        "genlab.KDE": lambda X: genlab.KDE(bandwidth="cv").fit(X).log_prob,
        "genlab.GaussianMixture": lambda X: genlab.GaussianMixture().fit(X).log_prob,
        "sklearn.KernelDensity": lambda X: sklearn_kde_cv(X).score_samples,
        "sklearn.GaussianMixture": lambda X: sklearn_gmm_bic(X).score_samples,
        "genlab.Flow": lambda X: genlab.Flow(progress=False).fit(X).log_prob,
        "zuko.NSF (default)": lambda X: zuko_flow_default(X, "nsf"),
        "zuko.MAF (default)": lambda X: zuko_flow_default(X, "maf"),
    }


def nll_rows(
    suite: str, dataset: str, Xtr: np.ndarray, Xte: np.ndarray, fitted: dict | None = None
) -> list[Row]:
    """Fit every method on ``Xtr`` and report its test NLL (nats per example); ``fitted``, if
    given, receives method name -> the fitted genlab model (for figures)."""
    rows = []
    for method, fit in methods().items():
        start = time.perf_counter()
        scorer = fit(Xtr)
        if fitted is not None and method.startswith("genlab."):
            fitted[method] = scorer.__self__  # the bound log_prob's model
        log_prob = scorer(Xte)
        seconds = time.perf_counter() - start
        nll = float(-np.mean(log_prob))
        stderr = float(np.std(log_prob) / np.sqrt(len(log_prob)))
        rows.append(
            Row(
                suite, "density", dataset, method, "nll_nats", nll, False, seconds, f"±{stderr:.2f}"
            )
        )
    return rows


def run(*, quick: bool = False) -> list[Row]:
    rows = []
    for name in DATASETS[:1] if quick else DATASETS:
        Xtr, Xte = standardized_split(name)
        rows += nll_rows(NAME, name, Xtr, Xte)
    return rows
