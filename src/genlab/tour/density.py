"""The density job in the tour: log p(x) against the true density of a 2-D set (contours),
bits per pixel of every family on digits (with paired error bars), anomaly detection on breast
cancer (ROC) and the generative classifier on digits (confusion matrix)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from genlab.report.html import Figure, Section, Table
from genlab.tour.context import FAMILY_MODELS, Tour, settings_note

TEXT = (
    "A density model scores how probable each example is. On a 2-D set whose true density "
    "is known, the contours show how close each family gets. On digits, bits per pixel "
    "(−log2 p(x) / 64) compare models on held-out data; exact likelihoods and bounds are "
    "marked as such. The same log p(x) flags anomalies (improbable rows) and, with one "
    "density per class and Bayes' rule, classifies."
)
CODE = (
    "table = genlab.compare({'ar': ar, 'vae': vae}, test)      # bits/dim ± error\n"
    "det = genlab.AnomalyDetector(genlab.KDE(), false_positive_rate=0.05).fit(normal)\n"
    "clf = genlab.GenerativeClassifier('kde').fit(X, y)"
)


def section_density(tour: Tour) -> Section:
    """3. density: contours vs truth, bits/dim with error bars, anomaly ROC, classifier."""
    section = Section("density", "3. Density: evaluate log p(x)", TEXT, code=CODE)
    parts: tuple[Callable[[Tour], tuple[list[Figure], Table]], ...] = (
        _density_contours,
        _density_comparison,
        _anomaly_detection,
        _classifier,
        _curse_of_dimensionality,
    )
    for part in parts:
        figures, table = part(tour)
        section.figures += figures
        section.tables.append(table)
    return section


def _density_contours(tour: Tour) -> tuple[list[Figure], Table]:
    """Contours of KDE, GMM and Flow on the rings against the true density; test NLL.

    Each model is one that shows the rings (KDE's default leave-one-out bandwidth; the
    tour's mixture and flow settings, :func:`~genlab.tour.context.model_specs`); its title
    and caption carry its gap to the truth, the number the table beside it lists.
    """
    from genlab.report.figures import density_contours_figure

    train, test = tour.data("rings")
    true_nll = -float(np.mean(train.density.true_log_prob(test.X)))
    figures, rows = [], [["true density", true_nll, 0.0]]
    for label, name in (
        ("KDE", "rings-kde"),
        ("GaussianMixture", "rings-gmm"),
        ("Flow", "rings-flow"),
    ):
        model = tour.model(name)
        gap = -float(np.mean(model.log_prob(test.X))) - true_nll
        title = f"{label} on concentric rings: {gap:.2f} nats from the truth"
        fig = density_contours_figure(model, train, title=title, random_state=tour.config.seed)
        caption = f"{label}: log-density and samples vs the true density (gap {gap:.2f} nats)"
        figures.append(tour.figure(fig, f"density-contours-{name}", caption))
        rows.append([settings_note(model), true_nll + gap, gap])
    title = f"Concentric rings: negative log-likelihood of {len(test)} held-out points"
    return figures, Table(["model", "test NLL (nats)", "gap to truth (nats)"], rows, title)


def _density_comparison(tour: Tour) -> tuple[list[Figure], Table]:
    """Bits per pixel of every family on the test digits, with paired differences."""
    import genlab
    from genlab.report.charts import model_comparison_figure

    _, test = tour.data("digits")
    table = genlab.compare({f: tour.model(name) for f, name in FAMILY_MODELS.items()}, test)
    fig = tour.figure(
        model_comparison_figure(table),
        "density-comparison",
        "Bits per pixel of the test digits, 95% intervals",
    )
    shown = table[
        ["bits_per_dim", "bits_per_dim_se", "diff_nats", "diff_ci_low", "diff_ci_high", "note"]
    ].copy()
    shown.columns = [
        "bits/pixel",
        "± std. error",
        "Δ NLL to best (nats/image)",
        "Δ low",
        "Δ high",
        "likelihood",
    ]
    note = "Δ: paired difference of NLL to the best model, with its 95% interval."
    return [fig], Table.from_frame(shown, f"Bits per pixel on {len(test)} test digits", note)


def _anomaly_detection(tour: Tour) -> tuple[list[Figure], Table]:
    """Benign tumours are normal, malignant ones anomalies: ROC of -log p(x) (KDE, GMM)."""
    import genlab
    from genlab.report.charts import roc_figure

    normal_fit, normal_test, malignant = _cancer_split(tour)
    scored = np.concatenate([normal_test, malignant])
    is_anomaly = np.r_[np.zeros(len(normal_test)), np.ones(len(malignant))]
    curves, rows = {}, []
    for label, density in (
        ("KDE", genlab.KDE()),
        ("GaussianMixture(1)", genlab.GaussianMixture(n_components=1)),
    ):
        scores, row = _detect(tour, label, density, normal_fit, scored, is_anomaly)
        curves[label] = (is_anomaly, scores)
        rows.append(row)
    fig = roc_figure(curves, "Breast cancer: benign = normal, malignant = anomaly")
    table = Table(
        ["detector", "AUROC", "false positive rate", "true positive rate"],
        rows,
        f"Anomaly detection: {len(normal_test)} held-out benign, {len(malignant)} malignant",
        "Threshold: false_positive_rate=0.05, split conformal on held-out benign rows; "
        "the densities were fitted on the other benign rows only.",
    )
    return [tour.figure(fig, "density-anomaly-roc", "ROC of −log p(x) as an anomaly score")], table


def _cancer_split(tour: Tour) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardized breast cancer rows: benign to fit (2/3), benign held out, malignant."""
    cancer = tour.data("breast_cancer")
    X = cancer.flat()
    X = (X - X.mean(0)) / X.std(0)  # (569, 30) standardized
    benign, malignant = X[cancer.y == 1], X[cancer.y == 0]
    order = np.random.default_rng(tour.config.seed).permutation(len(benign))
    n_fit = len(benign) * 2 // 3
    return benign[order[:n_fit]], benign[order[n_fit:]], malignant


def _detect(
    tour: Tour,
    label: str,
    density: Any,
    normal_fit: np.ndarray,
    scored: np.ndarray,
    is_anomaly: np.ndarray,
) -> tuple[np.ndarray, list[Any]]:
    """Anomaly scores of ``scored`` by a detector around ``density``, and its table row."""
    from sklearn.metrics import roc_auc_score

    import genlab

    det = genlab.AnomalyDetector(density, false_positive_rate=0.05, random_state=tour.config.seed)
    scores = det.fit(normal_fit).score_samples(scored)
    flagged = det.predict(scored) == -1
    auroc = roc_auc_score(is_anomaly, scores)
    rates = [flagged[is_anomaly == 0].mean(), flagged[is_anomaly == 1].mean()]
    return scores, [label, auroc, *rates]


def _classifier(tour: Tour) -> tuple[list[Figure], Table]:
    """Bayes' rule over one density per class on digits; confusion matrix of the best."""
    import genlab
    from genlab.report.charts import confusion_matrix_figure

    train, test = tour.data("digits")
    rows, best = [], None
    for label, clf in (
        ("KDE", genlab.GenerativeClassifier("kde")),
        ("GaussianMixture(2)", genlab.GenerativeClassifier("gmm", n_components=2)),
    ):
        start = time.perf_counter()
        pred = clf.fit(train.X, train.y).predict(test.X)
        accuracy = float(np.mean(pred == test.y))
        rows.append([label, accuracy, round(time.perf_counter() - start, 2)])
        if best is None or accuracy > best[1]:
            best = (label, accuracy, pred)
    label, accuracy, pred = best
    fig = confusion_matrix_figure(
        test.y, pred, title=f"Generative classifier ({label}): accuracy {accuracy:.1%}"
    )
    caption = f"Confusion matrix of the {label} classifier on the test digits"
    title = "Generative classifier p(c | x) ∝ p(c) p(x | c) on digits"
    table = Table(["class densities", "test accuracy", "fit + predict seconds"], rows, title)
    return [tour.figure(fig, "density-confusion", caption)], table


#: The tour's cheap version of ``genlab bench curse-of-dimensionality``: (dims, training
#: points, test points), the two families that train in seconds.
CURSE = {"full": ((1, 2, 4, 8, 16), 500, 2000), "fast": ((1, 2, 4, 8), 200, 500)}
CURSE_NOTE = (
    "With the same number of training points in every dimension, the KDE's gap to the true "
    "density per dimension grows with d and pulls away from the Gaussian mixture's: a kernel "
    "estimate needs far more data as the dimension grows (genlab bench "
    "curse-of-dimensionality measures it up to d = 32, with Flow, AutoregressiveModel and the "
    "KDE's training size to catch up)."
)


def _curse_of_dimensionality(tour: Tour) -> tuple[list[Figure], Table]:
    """KDE against GaussianMixture on one mixture seen in 1..16 dimensions: gap per dimension."""
    import genlab
    from genlab.bench.suites.curse_of_dimensionality import curse_figure, family_gaps
    from genlab.data.synthetic import NestedGaussianMixture

    dims, n_train, n_test = CURSE["fast" if tour.config.fast else "full"]
    seed = tour.config.seed
    makers = {"KDE": lambda: genlab.KDE(bandwidth="cv"), "GaussianMixture": genlab.GaussianMixture}
    gaps, rows = {}, []
    for d in dims:
        truth = NestedGaussianMixture(d)
        train = truth.sample(n_train, random_state=seed)
        test = truth.sample(n_test, random_state=seed + 1)
        fits = family_gaps(truth, train, test, makers)
        gaps[d] = {method: fit.gap for method, fit in fits.items()}
        rows.append([d, *(fits[m].gap for m in makers), *(fits[m].stderr for m in makers)])
    fig = tour.figure(
        curse_figure(gaps, n_train=n_train),
        "density-curse",
        "Gap to the true density per dimension against the dimension d",
    )
    columns = ["d", "KDE gap/dim (nats)", "GaussianMixture gap/dim (nats)", "± KDE", "± GMM"]
    title = f"Curse of dimensionality: {n_train} training points, {n_test} test points in every d"
    return [fig], Table(columns, rows, title, CURSE_NOTE)
