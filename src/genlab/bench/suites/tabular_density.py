"""Suite ``tabular-density``: held-out NLL (nats) on wine and breast_cancer.

Split and scaling of DESIGN.md: ``train_test_split(test_size=0.2, random_state=0)`` stratified,
columns standardized with training statistics. genlab's KDE (CV bandwidth) and
``GaussianMixture`` with its defaults (the number of components by 5-fold held-out likelihood
on the training rows, and a normal-inverse-Wishart prior on the covariances) against
scikit-learn's ``KernelDensity`` (GridSearchCV bandwidth) and ``GaussianMixture`` (components by
BIC, maximum likelihood): the comparison is of the two libraries' ways to choose, not of BIC;
``genlab.Flow`` against zuko's NSF and MAF with default settings in a plain training loop.

Beside each family's row, the rows a newcomer gets without choosing: ``genlab.KDE (default)``,
the family's default constructor where the row above it sets something (every other genlab row
is its family's defaults already), and ``genlab.Auto``, which picks the family itself on a
validation split of the training rows within :data:`AUTO_SECONDS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from genlab.bench.baselines import sklearn_gmm_bic, sklearn_kde_cv, zuko_flow_default
from genlab.bench.rows import Row, join_notes, training_note
from genlab.data.datasets import load_dataset

NAME = "tabular-density"
DATASETS = ("wine", "breast_cancer")
#: ``genlab.Auto``'s budget (seconds) for its whole search and refit on one dataset: every
#: family it tries (gmm, kde, flow, autoregressive, vae) fits on these tables within it.
AUTO_SECONDS = 60.0
#: The budget in quick mode (tests): the row exists, its value means little.
AUTO_SECONDS_QUICK = 10.0


def standardized_split(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Train/test matrices of a bundled table, standardized with the training statistics."""
    train, test = load_dataset(name).split()
    Xtr, Xte = train.flat(), test.flat()
    mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
    std[std == 0] = 1.0
    return (Xtr - mean) / std, (Xte - mean) / std


def methods(
    quick: bool = False,
) -> dict[str, Callable[[np.ndarray], Callable[[np.ndarray], np.ndarray]]]:
    """method name -> fit(X_train) returning a log-density function of X_test.

    Example:
        >>> [m for m in methods() if m.startswith("genlab.")]  # doctest: +NORMALIZE_WHITESPACE
        ['genlab.KDE', 'genlab.KDE (default)', 'genlab.GaussianMixture', 'genlab.Flow',
         'genlab.Auto']
    """
    import genlab

    auto_seconds = AUTO_SECONDS_QUICK if quick else AUTO_SECONDS
    return {
        "genlab.KDE": lambda X: genlab.KDE(bandwidth="cv").fit(X).log_prob,
        "genlab.KDE (default)": lambda X: genlab.KDE().fit(X).log_prob,
        "genlab.GaussianMixture": lambda X: genlab.GaussianMixture().fit(X).log_prob,
        "sklearn.KernelDensity": lambda X: sklearn_kde_cv(X).score_samples,
        "sklearn.GaussianMixture": lambda X: sklearn_gmm_bic(X).score_samples,
        "genlab.Flow": lambda X: genlab.Flow(progress=False).fit(X).log_prob,
        "zuko.NSF (default)": lambda X: zuko_flow_default(X, "nsf"),
        "zuko.MAF (default)": lambda X: zuko_flow_default(X, "maf"),
        "genlab.Auto": lambda X: genlab.Auto(max_time=auto_seconds).fit(X).log_prob,
    }


def nll_rows(
    suite: str,
    dataset: str,
    Xtr: np.ndarray,
    Xte: np.ndarray,
    fitted: dict | None = None,
    *,
    quick: bool = False,
) -> list[Row]:
    """Fit every method on ``Xtr`` and report its test NLL (nats per example); ``fitted``, if
    given, receives method name -> the fitted genlab model (for figures)."""
    rows = []
    for method, fit in methods(quick).items():
        start = time.perf_counter()
        scorer = fit(Xtr)
        model = getattr(scorer, "__self__", None)  # a genlab row's bound log_prob's model
        if fitted is not None and method.startswith("genlab."):
            fitted[method] = model
        log_prob = scorer(Xte)
        seconds = time.perf_counter() - start
        nll = float(-np.mean(log_prob))
        stderr = float(np.std(log_prob) / np.sqrt(len(log_prob)))
        note = join_notes(f"±{stderr:.2f}", fit_note(model))
        rows.append(Row(suite, "density", dataset, method, "nll_nats", nll, False, seconds, note))
    return rows


def fit_note(model: object) -> str:
    """What a row's note says about its fit: the family ``Auto`` chose, and whether a
    training stopped at ``max_time`` (the row then depends on the machine's speed).

    Example:
        >>> from types import SimpleNamespace as NS
        >>> fit_note(NS(best_family_="kde", model_=object()))
        'chose kde'
    """
    chosen = getattr(model, "best_family_", None)
    if chosen is not None:  # Auto: its choice, and its chosen model's training
        return join_notes(f"chose {chosen}", training_note(model.model_))
    return training_note(model) if model is not None else ""


def run(*, quick: bool = False) -> list[Row]:
    rows = []
    for name in DATASETS[:1] if quick else DATASETS:
        Xtr, Xte = standardized_split(name)
        rows += nll_rows(NAME, name, Xtr, Xte, quick=quick)
    return rows
