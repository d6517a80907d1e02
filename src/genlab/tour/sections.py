"""The first three jobs of the tour, each a function of the :class:`~genlab.tour.context.Tour`
that returns its report :class:`~genlab.report.html.Section`: generate (sample grids of every
family), condition (samples per class, inpainting) and density (contours against the true
density, bits per pixel, anomaly detection, the generative classifier), with their private
helpers."""

from __future__ import annotations

import time

import numpy as np

from genlab.metrics import rmse
from genlab.report.html import Figure, Section, Table
from genlab.tour.context import FAMILY_MODELS, Tour, settings_note


# ================================================================== sections
def section_generate(tour: Tour) -> Section:
    """1. generate: one grid of samples per family on digits."""
    seed = tour.config.seed
    train, _ = tour.data("digits")
    figures = [
        tour.grid(
            train.X[:24],
            "generate-data",
            "Training digits (for reference)",
            title="Training data: real digits",
            per_row=12,
        )
    ]
    rows = []
    for family, name in FAMILY_MODELS.items():
        model = tour.model(name)
        start = time.perf_counter()
        samples = model.sample(24, random_state=seed)  # (24, 8, 8) on the 0..16 grid
        seconds = time.perf_counter() - start
        figures.append(
            tour.grid(
                samples,
                f"generate-{name}",
                f"24 samples of {family}",
                title=f"{family}: samples",
                per_row=12,
            )
        )
        rows.append([family, len(samples), round(seconds, 3), settings_note(model)])
    flow_note = (
        "Flow: its samples are drawn over its density on a 2-D set in section 3 (on 64 pixels "
        "a flow needs several minutes of training, more than the tour's budget)."
    )
    return Section(
        "generate",
        "1. Generate: new samples x ~ p(x)",
        "A generative model learns p(x) from examples and draws new ones. Each family below was "
        "fitted to the same training digits (8x8, 17 grey levels) and asked for 24 samples. "
        "Sharper, more varied digits mean a better model of p(x); blurry or repeated ones show "
        "what the family cannot capture (a Gaussian mixture blurs, a KDE copies its "
        "training data).",
        code="genlab fit autoregressive digits -o runs/ar\n"
        "genlab sample runs/ar -n 24 -o samples.png\n\n"
        "m = genlab.AutoregressiveModel().fit(train)\nm.sample(24, random_state=0)",
        figures=figures,
        tables=[Table(["family", "samples", "sampling seconds", "settings"], rows)],
        notes=[flow_note],
    )


def section_condition(tour: Tour) -> Section:
    """2. condition: one row per class (class → image), inpainting (image → image)."""
    from genlab.data.masks import apply_mask, bottom_half

    seed = tour.config.seed
    train, test = tour.data("digits")
    by_class = tour.model("digits-ar-classes")
    labels = np.repeat(by_class.classes_, 10)  # (C * 10,): ten samples of each class
    samples = by_class.sample(len(labels), condition=labels, random_state=seed)
    title = "AutoregressiveModel: x ~ p(x | class)"
    figures = [
        tour.grid(
            samples,
            "condition-classes",
            "Samples of p(x | class), one row per class",
            labels=labels,
            title=title,
        )
    ]
    ar = tour.model("digits-ar")
    originals = test.X[:8]  # (8, 8, 8)
    holes = apply_mask(originals, bottom_half(originals.shape))  # bottom halves are NaN
    draws = ar.impute(holes, n_imputations=3, random_state=seed)  # 3 x (8, 8, 8)
    strip = np.concatenate([originals, holes, *draws])  # rows: truth, masked, 3 completions
    caption = (
        "Inpainting: rows are test digits, their top halves (bottom in red), and 3 "
        "completions drawn from p(bottom | top)"
    )
    figures.append(
        tour.grid(
            strip,
            "condition-inpainting",
            caption,
            title="Image → image: inpainting",
            per_row=len(originals),
        )
    )
    mask = bottom_half(test.X.shape)
    filled = ar.impute(apply_mask(test.X, mask), method="mean", random_state=seed)
    mean_image = np.broadcast_to(np.asarray(train.X, float).mean(0), test.X.shape)
    truth = np.asarray(test.X, dtype=float)
    rows = [
        ["training mean image", rmse(mean_image, truth, mask)],
        ["AutoregressiveModel, E[bottom | top]", rmse(filled, truth, mask)],
    ]
    return Section(
        "condition",
        "2. Condition: x ~ p(x | c)",
        "A conditional model draws from p(x | c): here c is a class (each row asks for one "
        "digit) or an image (the top half of a test digit, the model draws the bottom half: "
        "inpainting). The any-order autoregressive model conditions on any set of observed "
        "pixels exactly, so inpainting is sampling the missing pixels one by one given the rest.",
        code="m = genlab.AutoregressiveModel().fit(train, train.y)   # labels: class-conditional\n"
        "m.sample(10, condition=3)                              # ten 3s\n"
        "holes = apply_mask(X, bottom_half(X.shape))\n"
        "genlab.AutoregressiveModel().fit(train).impute(holes, n_imputations=3)",
        figures=figures,
        tables=[
            Table(
                ["method", "RMSE of the bottom halves (grey levels 0..16)"],
                rows,
                title=f"Inpainting the bottom halves of {len(test)} test digits",
            )
        ],
        notes=[settings_note(by_class) + ", fitted with the labels", settings_note(ar)],
    )


def section_density(tour: Tour) -> Section:
    """3. density: contours vs truth, bits/dim with error bars, anomaly ROC, classifier."""
    section = Section(
        "density",
        "3. Density: evaluate log p(x)",
        "A density model scores how probable each example is. On a 2-D set whose true density "
        "is known, the contours show how close each family gets. On digits, bits per pixel "
        "(−log2 p(x) / 64) compare models on held-out data; exact likelihoods and bounds are "
        "marked as such. The same log p(x) flags anomalies (improbable rows) and, with one "
        "density per class and Bayes' rule, classifies.",
        code="table = genlab.compare({'ar': ar, 'vae': vae}, test)      # bits/dim ± error\n"
        "det = genlab.AnomalyDetector(genlab.KDE(), false_positive_rate=0.05).fit(normal)\n"
        "clf = genlab.GenerativeClassifier('kde').fit(X, y)",
    )
    for part in (_density_contours, _density_comparison, _anomaly_detection, _classifier):
        figures, table = part(tour)
        section.figures += figures
        section.tables.append(table)
    return section


def _density_contours(tour: Tour) -> tuple[list[Figure], Table]:
    """Contours of KDE, GMM and Flow on the rings against the true density; test NLL."""
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
        fig = density_contours_figure(
            model, train, title=f"{label} on concentric rings", random_state=tour.config.seed
        )
        caption = f"{label}: log-density and samples vs the true density"
        figures.append(tour.figure(fig, f"density-contours-{name}", caption))
        nll = -float(np.mean(model.log_prob(test.X)))
        rows.append([settings_note(model), nll, nll - true_nll])
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
    from sklearn.metrics import roc_auc_score

    import genlab
    from genlab.report.charts import roc_figure

    seed = tour.config.seed
    cancer = tour.data("breast_cancer")
    X = cancer.flat()
    X = (X - X.mean(0)) / X.std(0)  # (569, 30) standardized
    benign, malignant = X[cancer.y == 1], X[cancer.y == 0]
    order = np.random.default_rng(seed).permutation(len(benign))
    n_fit = len(benign) * 2 // 3
    normal_fit, normal_test = benign[order[:n_fit]], benign[order[n_fit:]]
    scored = np.concatenate([normal_test, malignant])
    is_anomaly = np.r_[np.zeros(len(normal_test)), np.ones(len(malignant))]
    curves, rows = {}, []
    for label, density in (
        ("KDE", genlab.KDE()),
        ("GaussianMixture(1)", genlab.GaussianMixture(n_components=1)),
    ):
        det = genlab.AnomalyDetector(density, false_positive_rate=0.05, random_state=seed)
        scores = det.fit(normal_fit).score_samples(scored)
        flagged = det.predict(scored) == -1
        curves[label] = (is_anomaly, scores)
        auroc = roc_auc_score(is_anomaly, scores)
        rows.append(
            [label, auroc, flagged[is_anomaly == 0].mean(), flagged[is_anomaly == 1].mean()]
        )
    fig = roc_figure(curves, "Breast cancer: benign = normal, malignant = anomaly")
    table = Table(
        ["detector", "AUROC", "false positive rate", "true positive rate"],
        rows,
        f"Anomaly detection: {len(normal_test)} held-out benign, {len(malignant)} malignant",
        "Threshold: false_positive_rate=0.05, split conformal on held-out benign rows; "
        "the densities were fitted on the other benign rows only.",
    )
    return [tour.figure(fig, "density-anomaly-roc", "ROC of −log p(x) as an anomaly score")], table


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
