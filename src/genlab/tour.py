"""``genlab tour``: every job of a generative model on the bundled data, in one report.

The tour is what a new user sees first (``make demo``), so it runs offline on 2 cores within a
time budget, and every number and picture in its report comes from the run that wrote it. It
trains a few default models (cached under ``OUT/models/<name>/``, keyed by their settings, so
a second run reuses them and a changed setting retrains), then runs one small function per job
of the lecture, each returning a :class:`~genlab.report.html.Section`:

=============  ================================================================================
generate       sample grids of every family on digits (the Flow's are on the 2-D set)
condition      one row of samples per class; inpainting (the bottom half of test digits)
density        contours vs the true 2-D density; bits/dim with error bars; anomaly detection
               (ROC); the generative classifier (confusion matrix)
impute         mean imputation vs multiple imputation on wine (error, interval coverage);
               masked digits filled in
represent      the 2-D latent map of a VAE coloured by class; interpolation strips
compress       bits per pixel of genlab's coder vs gzip/bz2/xz/zstd/PNG/WebP, exact round trip
=============  ================================================================================

A job whose code is not in this installation is listed as such (``not built yet``), never
faked; so are the families and uses the lecture mentions that genlab does not have yet.

Training draws from one :class:`Budget`: each neural model gets a fixed share of it as its
``max_time`` (fixed, not "what is left", so the cache key of a model does not depend on how
fast the machine was). ``fast=True`` is the one-minute version the tests run: small data,
small networks, a few epochs; its numbers show that the pipeline works, not what the models
can do.

Example:
    >>> Budget(60).share(0.25)
    15.0
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from genlab.errors import InputError
from genlab.report.html import Figure, Report, Section, Table, write_report

#: Default budget of the whole tour (minutes); the training shares below add up to 60% of it,
#: the rest is for evaluation, sampling, compression and figures (under 10 minutes on 2 cores).
DEFAULT_BUDGET_MINUTES = 8.0
#: Share of the budget each neural model may train for (its ``max_time``).
SHARES = {
    "digits-ar": 0.26,
    "digits-ar-classes": 0.14,
    "digits-vae2": 0.07,
    "digits-hvae": 0.06,
    "rings-flow": 0.07,
}
#: Uses the lecture names that genlab does not have yet (family or module, and what it is).
NOT_BUILT = (
    ("diffusion", "Diffusion (DDPM/DDIM): samples by denoising; inpainting; DDIM inversion"),
    ("gan", "GAN: samples from a generator trained against a discriminator"),
    ("sequence", "SequenceModel: text and code (byte/char Transformer), captions, seq2seq"),
    ("audio", "audio: waveforms and spectrograms"),
    ("genlab.web", "the web playground (FastAPI app with an interactive timeline)"),
)


# ================================================================== settings
@dataclass
class Budget:
    """Seconds of training the tour may spend, shared out to the models by fixed fractions."""

    seconds: float
    started: float = field(default_factory=time.perf_counter)

    def share(self, fraction: float) -> float:
        """``fraction`` of the whole budget, in seconds (a model's ``max_time``)."""
        return round(self.seconds * fraction, 1)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


@dataclass
class TourConfig:
    """What the tour runs on and how long it may train.

    Attributes:
        out: the report folder (``index.html``, ``report.md``, ``figures/``, ``models/``).
        fast: the one-minute version (small data, tiny networks, a few epochs).
        budget_minutes: training budget shared by the neural models.
        seed: seed of every split, model and draw.
        quiet: no progress output.
    """

    out: Path
    fast: bool = False
    budget_minutes: float = DEFAULT_BUDGET_MINUTES
    seed: int = 0
    quiet: bool = False

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if not self.budget_minutes > 0:
            raise InputError(
                f"budget must be a positive number of minutes, got {self.budget_minutes}"
            )


# =================================================================== context
class Tour:
    """The shared state of one tour run: data, fitted models, figure paths and timings."""

    def __init__(self, config: TourConfig) -> None:
        from rich.console import Console

        self.config = config
        self.budget = Budget(config.budget_minutes * 60)
        self.console = Console(stderr=True, quiet=config.quiet)
        self.steps: list[list[Any]] = []  # [step, seconds, how] rows of the run table
        self._models: dict[str, Any] = {}
        self._data: dict[str, Any] = {}

    # ------------------------------------------------------------------ data
    def data(self, name: str) -> Any:
        """The bundled data of the tour, loaded once: ``(train, test)`` for the sets models
        train on (``digits``, ``rings``), the whole :class:`~genlab.Dataset` for the others."""
        if name not in self._data:
            self._data[name] = self._load(name)
        return self._data[name]

    def _load(self, name: str) -> Any:
        import genlab

        fast, seed = self.config.fast, self.config.seed
        if name == "digits":
            train, test = genlab.load_dataset("digits").split(random_state=seed)
            if fast:  # a stratified-enough prefix: the split is already shuffled
                train, test = train.subset(np.arange(400)), test.subset(np.arange(100))
            return train, test
        if name == "rings":
            ds = genlab.load_dataset("concentric_rings")
            return (ds.subset(np.arange(600)) if fast else ds).split(random_state=seed)
        return genlab.load_dataset(name)

    # ---------------------------------------------------------------- models
    def model(self, name: str) -> Any:
        """The fitted model ``name`` of :func:`model_specs`: from the cache, or trained now."""
        if name not in self._models:
            self._models[name] = self._fit_cached(name)
        return self._models[name]

    def _fit_cached(self, name: str) -> Any:
        import genlab

        make, data_name, with_labels = model_specs(self)[name]
        model = make()
        train, _ = self.data(data_name)  # models train on the training part of a split
        key = _cache_key(model, train, with_labels)
        folder = self.config.out / "models" / name
        meta_file = folder / "tour.json"
        if meta_file.is_file():
            meta = json.loads(meta_file.read_text())
            if meta.get("key") == key:
                with contextlib.suppress(genlab.GenlabError, OSError):
                    loaded = genlab.load_model(folder)
                    self.steps.append(
                        [f"train {name}", meta["fit_seconds"], "cached (earlier run)"]
                    )
                    self.say(f"[green]✓[/green] {name}: reused the cached model in {folder}")
                    return loaded
        with self.step(f"train {name}", spinner="progress" not in model.get_params()):
            model.fit(train, train.y if with_labels else None)
        folder.mkdir(parents=True, exist_ok=True)
        model.save(folder)
        meta_file.write_text(json.dumps({"key": key, "fit_seconds": self.steps[-1][1]}))
        return model

    # -------------------------------------------------------------- output
    @contextlib.contextmanager
    def step(self, what: str, spinner: bool = True) -> Iterator[None]:
        """Time ``what``, show a spinner (or let a progress bar show), add it to the run table."""
        start = time.perf_counter()
        status = self.console.status(f"{what}…") if spinner else contextlib.nullcontext()
        with status:
            yield
        seconds = time.perf_counter() - start
        self.steps.append([what, round(seconds, 2), "computed"])
        self.say(f"[green]✓[/green] {what} ({seconds:.1f} s)")

    def say(self, message: str) -> None:
        """Print a progress line (nothing with ``quiet``)."""
        self.console.print(message)

    def figure(self, fig: Any, name: str, caption: str) -> Figure:
        """Save a matplotlib figure as ``figures/<name>.png``; the report's reference to it."""
        from genlab.report.figures import save_figure

        save_figure(fig, self.config.out / "figures" / f"{name}.png")
        return Figure(f"figures/{name}.png", caption)

    def grid(self, images: np.ndarray, name: str, caption: str, **kwargs: Any) -> Figure:
        """A sample grid (:func:`~genlab.report.figures.sample_grid_figure`) saved as a figure."""
        from genlab.report.figures import sample_grid_figure

        return self.figure(sample_grid_figure(images, **kwargs), name, caption)


def _cache_key(model: Any, data: Any, with_labels: bool) -> str:
    """Hash of what a fitted model depends on: family, settings, training data and labels."""
    params = {k: v for k, v in model.get_params().items() if k != "progress"}
    digest = hashlib.sha256(np.ascontiguousarray(data.flat()).tobytes())
    if with_labels:
        digest.update(np.asarray(data.y).tobytes())
    text = json.dumps([model.family, params, digest.hexdigest()], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ==================================================================== models
def model_specs(tour: Tour) -> dict[str, tuple[Callable[[], Any], str, bool]]:
    """Name -> (a new unfitted model, the data it trains on, whether with class labels).

    The any-order autoregressive model is genlab's best density and coder on digits, so it
    gets the largest share of the budget. Compression codes with an unconditional model, so
    the per-class rows come from a second, class-conditional one with a smaller share.
    """
    import genlab

    fast, seed, budget = tour.config.fast, tour.config.seed, tour.budget
    neural = {"random_state": seed, "progress": not tour.config.quiet}

    def trained(name: str, full: dict, tiny: dict) -> dict:
        return {**(tiny if fast else full), "max_time": budget.share(SHARES[name]), **neural}

    ar_full = {"hidden_sizes": (512, 512), "ema_decay": 0.998, "max_epochs": 600, "patience": 60}
    ar_tiny = {"hidden_sizes": (64,), "max_epochs": 4}
    ar_common = {"n_mean_samples": 4 if fast else 8}  # E[x_m | x_o] paths: time vs noise
    ar = trained("digits-ar", {**ar_full, **ar_common}, {**ar_tiny, **ar_common})
    ar_classes = trained("digits-ar-classes", ar_full, ar_tiny)
    vae = trained(
        "digits-vae2",
        {"latent_dim": 2, "max_epochs": 300, "patience": 30},
        {"latent_dim": 2, "hidden": 32, "max_epochs": 4, "n_importance": 10},
    )
    hvae = trained(
        "digits-hvae",
        {"max_epochs": 300, "patience": 30},
        {"hidden": 32, "max_epochs": 3, "n_importance": 10},
    )
    flow = trained("rings-flow", {"max_epochs": 400}, {"max_epochs": 5})
    k = 3 if fast else 10  # mixture components
    return {
        "digits-ar": (lambda: genlab.AutoregressiveModel(**ar), "digits", False),
        "digits-ar-classes": (lambda: genlab.AutoregressiveModel(**ar_classes), "digits", True),
        "digits-vae2": (lambda: genlab.VAE(**vae), "digits", False),
        "digits-hvae": (lambda: genlab.HierarchicalVAE(**hvae), "digits", False),
        "digits-gmm": (lambda: genlab.GaussianMixture(n_components=k), "digits", False),
        "digits-kde": (lambda: genlab.KDE(random_state=seed), "digits", False),
        "rings-flow": (lambda: genlab.Flow(**flow), "rings", False),
        "rings-gmm": (lambda: genlab.GaussianMixture(n_components=2 * k), "rings", False),
        "rings-kde": (lambda: genlab.KDE(random_state=seed), "rings", False),
    }


FAMILY_MODELS = {  # family -> tour model, for the sample grids and the comparison
    "AutoregressiveModel": "digits-ar",
    "VAE (2-D latent)": "digits-vae2",
    "HierarchicalVAE": "digits-hvae",
    "GaussianMixture": "digits-gmm",
    "KDE": "digits-kde",
}


def settings_note(model: Any) -> str:
    """The model's class and the hyperparameters that differ from the family's defaults.

    Example:
        >>> import genlab
        >>> settings_note(genlab.GaussianMixture(n_components=3))
        'GaussianMixture(n_components=3)'
    """
    defaults = type(model)().get_params()
    changed = {
        k: v for k, v in model.get_params().items() if k != "progress" and v != defaults.get(k)
    }
    return f"{type(model).__name__}({', '.join(f'{k}={v}' for k, v in sorted(changed.items()))})"


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
        ["training mean image", _rmse(mean_image, truth, mask)],
        ["AutoregressiveModel, E[bottom | top]", _rmse(filled, truth, mask)],
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


def section_impute(tour: Tour) -> Section:
    """4. impute: mean vs multiple imputation on wine; masked digits filled in."""
    section = Section(
        "impute",
        "4. Impute: fill in missing entries",
        "Mean imputation fills every hole with its column's mean: it ignores the other columns "
        "and claims certainty it does not have. A density model fills holes from "
        "p(x_missing | x_observed): its conditional mean is a better single guess, and several "
        "draws (multiple imputation) give intervals whose coverage can be checked.",
        code="gmm = genlab.GaussianMixture(n_components=1).fit(holes)    # fits with NaNs\n"
        "genlab.impute('mean', holes)                                # the baseline\n"
        "draws = genlab.impute(gmm, holes, n_imputations=50)\n"
        "genlab.tasks.impute.intervals(draws, level=0.9).coverage(X, mask)",
    )
    for part in (_impute_table, _impute_digits):
        figures, table = part(tour)
        section.figures += figures
        section.tables.append(table)
    return section


def _impute_table(tour: Tour) -> tuple[list[Figure], Table]:
    """Wine with 20% of its entries removed: mean imputation vs a Gaussian fitted with holes."""
    import genlab
    from genlab.data.masks import mcar
    from genlab.report.charts import imputation_figure
    from genlab.report.figures import imputation_calibration_figure
    from genlab.tasks.impute import intervals

    seed = tour.config.seed
    wine = tour.data("wine").flat()
    X = (wine - wine.mean(0)) / wine.std(0)  # (178, 13) standardized units
    mask = mcar(X.shape, 0.2, random_state=seed)
    holes = np.where(mask, np.nan, X)
    n_draws = 10 if tour.config.fast else 50
    with tour.step("fit GaussianMixture on wine with holes"):
        gmm = genlab.GaussianMixture(n_components=1, random_state=seed).fit(holes)
    mean_filled = genlab.impute("mean", holes)
    draws = genlab.impute(gmm, holes, n_imputations=n_draws, random_state=seed)
    levels = [0.5, 0.7, 0.8, 0.9, 0.95]
    coverage = [intervals(draws, level=level).coverage(X, mask) for level in levels]
    mixture = f"GaussianMixture: E[x_m | x_o] / {n_draws} draws"
    rmse = {
        "mean imputation": _rmse(mean_filled, X, mask),
        mixture: _rmse(genlab.impute(gmm, holes, method="mean"), X, mask),
    }
    cover90 = {  # one imputation is an interval of width zero: it covers only exact hits
        "mean imputation": intervals([mean_filled] * 2, level=0.9).coverage(X, mask),
        mixture: coverage[levels.index(0.9)],
    }
    figures = [
        tour.figure(
            imputation_figure(rmse, cover90),
            "impute-wine",
            "Wine with 20% of entries missing: error and 90% coverage",
        ),
        tour.figure(
            imputation_calibration_figure(levels, {"GaussianMixture": coverage}),
            "impute-calibration",
            "Coverage of the per-entry intervals at each level",
        ),
    ]
    table = Table(
        ["method", "RMSE (standardized units)", "coverage of 90% intervals"],
        [[name, rmse[name], cover90[name]] for name in rmse],
        title=f"Wine, {int(mask.sum())} of {mask.size} entries missing completely at random",
        note="Mean imputation gives one value per hole, an interval of width zero: it covers "
        "(almost) nothing and shrinks every variance.",
    )
    return figures, table


def _impute_digits(tour: Tour) -> tuple[list[Figure], Table]:
    """Half of the pixels of the test digits removed, filled by the autoregressive model."""
    import genlab
    from genlab.data.masks import apply_mask, random_pixels

    seed = tour.config.seed
    _, test = tour.data("digits")
    ar = tour.model("digits-ar")
    mask = random_pixels(test.X.shape, 0.5, random_state=seed)
    holes = apply_mask(test.X, mask)  # (N, 8, 8) with NaN holes
    filled = ar.impute(holes, method="mean", random_state=seed)
    truth = np.asarray(test.X, dtype=float)
    rows = [
        ["mean imputation (pixel means)", _rmse(genlab.impute("mean", holes), truth, mask)],
        ["AutoregressiveModel E[x_m | x_o]", _rmse(filled, truth, mask)],
    ]
    one_draw = ar.impute(holes[:10], random_state=seed)
    strip = np.concatenate([test.X[:10], holes[:10], one_draw, filled[:10]])
    caption = (
        "Rows: test digits, half of their pixels removed (red), one draw, the conditional mean"
    )
    figure = tour.grid(strip, "impute-digits", caption, title="Masked digits filled in", per_row=10)
    title = f"{len(test)} test digits, 50% of pixels missing at random"
    return [figure], Table(["method", "RMSE (grey levels 0..16)"], rows, title)


def section_represent(tour: Tour) -> Section:
    """5. represent: the 2-D latent map of a VAE, interpolation strips."""
    from sklearn.neighbors import KNeighborsClassifier

    from genlab.report.figures import interpolation_figure, latent_map_figure
    from genlab.tasks import represent

    train, test = tour.data("digits")
    vae = tour.model("digits-vae2")
    Z_train, Z_test = represent.encode(vae, train.X), represent.encode(vae, test.X)  # (N, 2)
    figures = [
        tour.figure(
            latent_map_figure(Z_test, test.y, title="VAE latent codes of the test digits"),
            "represent-latent-map",
            "2-D latent codes E[z | x] coloured by class",
        )
    ]
    pairs = _pairs_of_different_classes(test.y, 4)
    strips = np.stack([represent.interpolate(vae, test.X[i], test.X[j], steps=8) for i, j in pairs])
    names = [f"{test.y[i]}→{test.y[j]}" for i, j in pairs]
    figures.append(
        tour.figure(
            interpolation_figure(
                strips, row_names=names, title="Decoded points on the latent path (slerp)"
            ),
            "represent-interpolation",
            "Interpolation between pairs of test digits",
        )
    )
    knn = lambda a, b: float(KNeighborsClassifier(5).fit(a, train.y).score(b, test.y))  # noqa: E731
    rows = [
        ["VAE latent z (2 numbers)", knn(Z_train, Z_test)],
        ["raw pixels (64 numbers)", knn(train.flat(), test.flat())],
    ]
    return Section(
        "represent",
        "5. Represent: encode, decode, interpolate",
        "A latent-variable model maps each example to a code z that causes it. With two latent "
        "numbers the whole digit set fits on one page: classes form regions although the VAE "
        "never saw a label. Walking between two codes and decoding gives a smooth morph.",
        code="from genlab.tasks import represent\n"
        "vae = genlab.VAE(latent_dim=2).fit(train)\n"
        "Z = represent.encode(vae, test.X)\n"
        "represent.interpolate(vae, x0, x1, steps=8)",
        figures=figures,
        tables=[
            Table(
                ["features", "5-NN test accuracy"],
                rows,
                title="How much of the class a code keeps: 5 nearest neighbours "
                "among the training codes",
            )
        ],
        notes=[settings_note(vae)],
    )


def section_compress(tour: Tour) -> Section:
    """6. compress: genlab's coder vs standard compressors, exact round trip checked."""
    import genlab
    from genlab.report import charts
    from genlab.tasks.compress.baselines import standard_sizes

    _, test = tour.data("digits")
    ar = tour.model("digits-ar")
    images = np.asarray(test.X)
    n_pixels = images.size
    with tour.step(f"compress {len(images)} test digits"):
        start = time.perf_counter()
        blob = genlab.compress(ar, images)
        encode_s = time.perf_counter() - start
        start = time.perf_counter()
        back = genlab.decompress(blob, ar)
        decode_s = time.perf_counter() - start
    exact = bool(np.array_equal(np.asarray(back), images))
    bits = {"genlab AutoregressiveModel": 8 * len(blob) / n_pixels}
    sizes = {"genlab AutoregressiveModel": len(blob)}
    for name, size in standard_sizes(images).items():
        bits[name], sizes[name] = 8 * size / n_pixels, size
    ideal = ar.bits_per_dim(images)
    figures = [
        tour.figure(
            charts.bits_per_pixel_figure(bits, ideal=ideal),
            "compress-bits",
            "Bits per pixel of each compressor on the test digits",
        )
    ]
    best = min(v for k, v in bits.items() if not k.startswith("genlab"))
    rows = [
        [k, sizes[k], bits[k], bits[k] / bits["genlab AutoregressiveModel"]]
        for k in sorted(bits, key=bits.get)
    ]
    return Section(
        "compress",
        "6. Compress: lossless bytes of length ≈ −log2 p(x)",
        "An entropy coder driven by a model's probabilities writes each image in about "
        "−log2 p(x) bits, so the better the density, the shorter the file. The model is needed "
        "to decode (it is the shared codebook); the round trip is checked bit for bit.",
        code="blob = genlab.compress(ar, test.X)\n"
        "assert (genlab.decompress(blob, ar) == test.X).all()",
        figures=figures,
        tables=[
            Table(
                ["compressor", "bytes", "bits per pixel", "× genlab's size"],
                rows,
                title=f"{len(images)} test digits, {n_pixels} pixels of 17 levels",
            )
        ],
        notes=[
            f"Exact round trip: {'yes' if exact else 'NO'} "
            f"(encode {encode_s:.2f} s, decode {decode_s:.2f} s).",
            f"Model −log2 p(x): {ideal:.3f} bits per pixel; the coder's overhead is "
            f"{bits['genlab AutoregressiveModel'] - ideal:+.3f}.",
            f"Best standard compressor: {best:.3f} bits per pixel.",
        ],
    )


def section_not_built(tour: Tour) -> Section:
    """What the lecture covers that this installation does not have yet, listed, not faked."""
    from genlab.models import FAMILIES

    rows = []
    for name, what in NOT_BUILT:
        present = name in FAMILIES if "." not in name else _has_module(name)
        if not present:
            rows.append([what, "not built yet"])
    return Section(
        "not-built",
        "Not in genlab yet",
        "The lecture also covers these; genlab does not have them yet, so the tour shows "
        "nothing for them rather than something made up.",
        tables=[Table(["family or use", "status"], rows)],
        status="done" if not rows else "not built yet",
    )


SECTIONS: tuple[Callable[[Tour], Section], ...] = (
    section_generate,
    section_condition,
    section_density,
    section_impute,
    section_represent,
    section_compress,
)


# ======================================================================== run
def run_tour(config: TourConfig) -> Report:
    """Train (or reuse) the models, run every section, write ``index.html`` and ``report.md``.

    A section whose module is missing from this installation is reported as ``not built
    yet``; a section that raises is reported as ``failed`` with the error, and the rest of the
    tour still runs (the report says which; ``genlab tour`` then exits with status 1).
    """
    tour = Tour(config)
    sections = []
    for make in SECTIONS:
        title = (make.__doc__ or make.__name__).split(":")[0].strip()
        start = time.perf_counter()
        try:
            section = make(tour)
        except ModuleNotFoundError as e:
            if not (e.name or "").startswith("genlab"):
                raise
            section = Section(
                make.__name__.removeprefix("section_"),
                title,
                status="not built yet",
                text=f"This job needs {e.name}, which this installation does not have yet.",
            )
        except Exception as e:  # the report says which job failed; the others still run
            tour.console.print_exception()
            section = Section(
                make.__name__.removeprefix("section_"),
                title,
                status="failed",
                text=f"{type(e).__name__}: {e}",
            )
        section.seconds = time.perf_counter() - start
        sections.append(section)
        tour.say(f"[bold]{section.title}[/bold]: {section.status} ({section.seconds:.1f} s)")
    sections.append(section_not_built(tour))
    sections.append(_run_section(tour))
    report = Report(
        "genlab tour: every job of a generative model, on bundled data",
        sections,
        intro=_intro(tour),
        footer=_machine_line(),
    )
    write_report(report, config.out)
    return report


def _run_section(tour: Tour) -> Section:
    rows = [
        *tour.steps,
        ["whole tour", round(tour.budget.elapsed, 2), f"budget {tour.budget.seconds:g} s"],
    ]
    return Section(
        "run",
        "This run",
        "Every number and picture above comes from this run. Models are cached in models/ "
        "under the report folder; a second run reuses them unless a setting changed.",
        code=_command(tour.config),
        tables=[Table(["step", "seconds", "how"], rows)],
    )


def _command(config: TourConfig) -> str:
    parts = ["genlab tour", f"--out {config.out}"]
    if config.fast:
        parts.append("--fast")
    if config.budget_minutes != DEFAULT_BUDGET_MINUTES:
        parts.append(f"--budget {config.budget_minutes:g}")
    if config.seed:
        parts.append(f"--seed {config.seed}")
    return " ".join(parts)


def _intro(tour: Tour) -> str:
    mode = " (--fast: small data and tiny models, a smoke run)" if tour.config.fast else ""
    return (
        "genlab does every job a generative model is used for with one interface. This report "
        "runs each of them on data that ships with genlab (8x8 digits, the wine and breast "
        f"cancer tables, a 2-D set whose true density is known){mode}.\n\n"
        f"Reproduce it with: {_command(tour.config)}. Budget "
        f"{tour.config.budget_minutes:g} min; seed {tour.config.seed}."
    )


def _machine_line() -> str:
    import os
    import platform

    import torch

    from genlab import __version__

    return (
        f"genlab {__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}."
    )


# ==================================================================== helpers
def _rmse(filled: Any, truth: np.ndarray, mask: np.ndarray) -> float:
    """Root mean squared error over the entries where ``mask`` is True.

    Example:
        >>> _rmse(np.array([1.0, 4.0]), np.array([1.0, 2.0]), np.array([False, True]))
        2.0
    """
    diff = np.asarray(filled, dtype=np.float64)[mask] - np.asarray(truth, dtype=np.float64)[mask]
    return float(math.sqrt(np.mean(diff**2)))


def _has_module(name: str) -> bool:
    """True when module ``name`` exists as code (an empty folder is a namespace, not a module).

    Example:
        >>> _has_module("genlab.tasks"), _has_module("genlab.no_such_module")
        (True, False)
    """
    import importlib.util

    spec = importlib.util.find_spec(name)
    return spec is not None and spec.origin is not None


def _pairs_of_different_classes(y: np.ndarray, n: int) -> list[tuple[int, int]]:
    """``n`` index pairs ``(i, j)`` of examples whose classes differ (first of each class).

    Example:
        >>> _pairs_of_different_classes(np.array([0, 1, 2, 0, 1, 2]), 2)
        [(0, 1), (1, 2)]
    """
    firsts = [int(np.argmax(y == c)) for c in np.unique(y)]  # first example of each class
    return [(firsts[k], firsts[(k + 1) % len(firsts)]) for k in range(min(n, len(firsts)))]
