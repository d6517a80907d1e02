"""Suite ``anomaly``: leave-one-class-out anomaly detection on digits (``digits-loco``).

For each digit class ``c``: every method is fitted on the training images of the other nine
classes (split of DESIGN.md, 8x8 images on the 0..16 grid), scores all 360 test images, and
class ``c`` is the anomaly. ``auroc`` is the mean over the ten classes (the note gives its
standard error over classes and the per-class values); higher is better.

genlab's methods run through :class:`genlab.AnomalyDetector` with its default threshold rule
(``false_positive_rate=0.05``: a fifth of the normal training images is held out to set the
threshold, the density is fitted on the rest), so each genlab method also gets two rows that
test that rule on the test images: ``false_positive_rate`` (share of normal test images
flagged; the target is at most 0.05) and ``detection_rate`` (share of anomalies flagged).
The conformal promise holds in expectation over the data: the 10 classes share one test set,
so the measured rate moves with that set's draw and may land slightly above the target on a
given split.

The densities, each with hyperparameters chosen without looking at any anomaly:

* ``genlab.KDE(isotropic)``: a Gaussian kernel of one width in pixel units, the width chosen
  by 3-fold held-out likelihood of the normal images (``GridSearchCV`` over ``model.score``);
* ``genlab.KDE(bandwidth='cv')``: the kernel shaped like the data covariance (leave-one-out);
* ``genlab.GaussianMixture(selection='bic')``: components chosen by BIC on the normal training
  images, with genlab's default normal-inverse-Wishart prior on the covariances (BIC then
  takes the log-likelihood at the MAP fit);
* ``genlab.AutoregressiveModel``: exact likelihood, 60 epochs per class (a short budget that
  still makes it one of the dearest rows: see the ``seconds`` column). Its raw likelihood
  ranks the simple ``1`` images as the most normal of all (Nalisnick et al., 2019): the best
  density in bits is not the best detector.

Baselines a user would pick: scikit-learn's ``IsolationForest``, ``LocalOutlierFactor``
(``novelty=True``), ``KernelDensity`` (bandwidth by 5-fold CV) and ``GaussianMixture``
(components by BIC), all with their defaults on the flattened pixels. scikit-learn's
``KernelDensity`` sums its kernels over a tree with bounds that are loose far from the data
(scikit-learn issues #7492, #27186): with the same isotropic kernel of width 2 it gives some
test images a log-density far too high, exactly the images an anomaly detector must rank
last, so its AUROC falls below that of the exact sum that genlab's KDE computes.

``quick=True`` runs two held-out classes with small searches and a tiny network: rows are
well-formed but the numbers are not the benchmark.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import LocalOutlierFactor

from genlab.bench.baselines import sklearn_gmm_bic, sklearn_kde_cv
from genlab.bench.rows import Row, add_training_note
from genlab.data.datasets import load_dataset

NAME = "anomaly"
DATASET = "digits-loco"
TARGET_FPR = 0.05
#: Kernel widths (pixel units, levels 0..16) tried for the isotropic KDE.
ISOTROPIC_BANDWIDTHS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
#: The benchmark setting of the AutoregressiveModel, per held-out class.
AUTOREGRESSIVE = {"hidden_sizes": (512, 512), "max_epochs": 60, "patience": 60, "max_time": 90.0}
QUICK_AUTOREGRESSIVE = {"hidden_sizes": (32,), "max_epochs": 1}
QUICK_CLASSES = (0, 1)

#: fit(images of the normal classes) -> score_samples(test images), higher = more anomalous
Scorer = Callable[[np.ndarray, np.ndarray], np.ndarray]


def isotropic_kde(quick: bool = False) -> GridSearchCV:
    """genlab's KDE with one kernel width for every pixel, chosen by 3-fold held-out
    log-likelihood (``GridSearchCV`` ranks genlab models by ``score``, the mean log p)."""
    import genlab

    grid = ISOTROPIC_BANDWIDTHS[1:4:2] if quick else ISOTROPIC_BANDWIDTHS
    return GridSearchCV(genlab.KDE(), {"bandwidth": list(grid)}, cv=3)


def genlab_methods(quick: bool) -> dict[str, object]:
    """Method name -> the unfitted model (or search) given to :class:`genlab.AnomalyDetector`."""
    import genlab

    settings = {**AUTOREGRESSIVE, **(QUICK_AUTOREGRESSIVE if quick else {})}
    return {
        "genlab.KDE(isotropic, bandwidth by CV)": isotropic_kde(quick),
        "genlab.KDE(bandwidth='cv')": genlab.KDE(bandwidth="scott" if quick else "cv"),
        "genlab.GaussianMixture(selection='bic')": genlab.GaussianMixture(
            selection="bic", max_components=2 if quick else 10
        ),
        "genlab.AutoregressiveModel": genlab.AutoregressiveModel(
            **settings, progress=False, random_state=0
        ),
    }


def baseline_methods(quick: bool) -> dict[str, Scorer]:
    """scikit-learn's detectors, with the defaults a user would use; scores flipped so that
    higher is more anomalous."""
    return {
        "sklearn.IsolationForest": lambda X, T: (
            -IsolationForest(random_state=0).fit(X).score_samples(T)
        ),
        "sklearn.LocalOutlierFactor(novelty)": lambda X, T: (
            -LocalOutlierFactor(novelty=True).fit(X).score_samples(T)
        ),
        "sklearn.KernelDensity": lambda X, T: (
            -sklearn_kde_cv(X, n_bandwidths=3 if quick else 30).score_samples(T)
        ),
        "sklearn.GaussianMixture": lambda X, T: (
            -sklearn_gmm_bic(X, max_components=2 if quick else 10).score_samples(T)
        ),
    }


def _auroc_row(method: str, aucs: dict[int, float], seconds: float, note: str = "") -> Row:
    values = np.array(list(aucs.values()))
    se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else float("nan")
    per_class = ", ".join(f"{c}: {a:.3f}" for c, a in aucs.items())
    text = f"±{se:.3f} over {len(values)} held-out classes; per class {per_class}"
    return Row(
        NAME,
        "anomaly",
        DATASET,
        method,
        "auroc",
        float(values.mean()),
        True,
        seconds,
        text + (f"; {note}" if note else ""),
    )


def genlab_rows(quick: bool) -> list[Row]:
    """genlab's densities through :class:`genlab.AnomalyDetector`: AUROC, and the realised
    false-positive and detection rates of its default threshold rule on the test images."""
    import genlab

    train, test = load_dataset("digits").split()
    classes = QUICK_CLASSES if quick else tuple(range(10))
    rows = []
    for method, model in genlab_methods(quick).items():
        start = time.perf_counter()
        aucs, fpr, detected, fitted = {}, [], [], []
        for c in classes:
            detector = genlab.AnomalyDetector(model, false_positive_rate=TARGET_FPR)
            detector.fit(train.X[train.y != c])
            fitted.append(detector.model_)
            scores = detector.score_samples(test.X)  # bits per pixel
            anomaly = test.y == c
            aucs[c] = roc_auc_score(anomaly, scores)
            flagged = scores > detector.threshold_
            fpr.append(flagged[~anomaly].mean())
            detected.append(flagged[anomaly].mean())
        seconds = time.perf_counter() - start
        rule = f"threshold: {detector.threshold_rule_} (last class); mean over classes"
        got = [
            _auroc_row(method, aucs, seconds, _what(detector.model_)),
            _rate_row(method, "false_positive_rate", fpr, False, seconds, rule),
            _rate_row(method, "detection_rate", detected, True, seconds, rule),
        ]
        rows += add_training_note(got, *fitted)  # says whether max_time cut any class's fit
    return rows


def baseline_rows(quick: bool) -> list[Row]:
    """scikit-learn's detectors on the flattened pixels, same classes, same test images."""
    train, test = load_dataset("digits").split()
    Xtr, Xte = train.flat(), test.flat()  # (1437, 64), (360, 64)
    classes = QUICK_CLASSES if quick else tuple(range(10))
    rows = []
    for method, score in baseline_methods(quick).items():
        start = time.perf_counter()
        aucs = {c: roc_auc_score(test.y == c, score(Xtr[train.y != c], Xte)) for c in classes}
        rows.append(_auroc_row(method, aucs, time.perf_counter() - start))
    return rows


def run(*, quick: bool = False) -> list[Row]:
    """Every method on the same held-out classes and test images."""
    return baseline_rows(quick) + genlab_rows(quick)


def _rate_row(
    method: str, metric: str, rates: list[float], higher: bool, seconds: float, note: str
) -> Row:
    target = f"target <= {TARGET_FPR}; " if metric == "false_positive_rate" else ""
    value = float(np.mean(rates))
    return Row(NAME, "anomaly", DATASET, method, metric, value, higher, seconds, target + note)


def _what(model: object) -> str:
    """What the last fitted density was: its bandwidth, components or training length."""
    params = model.get_params()
    if "bandwidth" in params:
        return f"bandwidth {params['bandwidth']} (last class)"
    if hasattr(model, "n_components_"):
        return f"components {model.n_components_} (last class)"
    result = getattr(model, "train_result_", None)
    return "" if result is None else f"{result.epochs} epochs (last class)"
