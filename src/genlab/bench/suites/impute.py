"""Suite ``impute``: RMSE of imputed entries and coverage of 90% intervals, genlab vs sklearn.

Cases (``dataset`` of a row):

* ``wine@mcar0.2``, ``wine@mcar0.5``, ``breast_cancer@mcar0.2``, ``breast_cancer@mcar0.5``:
  the whole table standardized (its own mean and std), then entries removed completely at
  random (:func:`~genlab.data.masks.mcar`, seed 0). Every method is fitted on the table with
  its holes and fills those same holes; RMSE in standardized units.
* ``digits@pixels0.5`` (half the pixels of each test image missing at random, seed 0) and
  ``digits@bottom-half``: models are fitted on the complete training images of the dataset's
  own split (``Dataset.split()``: 1437 images) and fill its 360 test images; RMSE in pixel
  levels (0..16). ``genlab.Diffusion`` (its defaults, unconditional) inpaints by RePaint-style
  resampling; its conditional mean is the mean of 20 inpaintings.

Metrics: ``rmse`` over the missing entries of every method's single best guess (the
conditional mean for genlab's models, ``impute(model, X, method="mean")``, since the mean is
what minimizes squared error), and for genlab's models on the tables ``coverage90``: the share
of the true missing values inside the per-entry 90% intervals of ``N_DRAWS`` multiple
imputations (:func:`genlab.jobs.impute.intervals`). Every genlab variant is its own row;
``bootstrap=B`` variants refit the model on ``B`` bootstrap resamples (Amelia II's bootstrap
EM, :class:`genlab.jobs.impute.bootstrap.Bootstrap`), so their draws also carry the
uncertainty of the fitted parameters, which a single fit on 178 rows and 13 columns
understates, and their conditional means are bagged; a variant's mean and draws come from the
same refits. The ``chosen by hold-out`` variants pick one of
:func:`imputer_candidates` (Gaussian mixtures of several sizes, with full or low-rank
covariances; for the images also kernel densities) by
:func:`genlab.jobs.impute.select.select_imputer` (entries that were observed are hidden and
filled; on the images, training rows given the case's missing patterns), so nothing about the
case's real holes chooses the settings; each candidate is scored bagged over ``SELECT_REFITS``
refits, the chosen one imputes bagged over ``CHOSEN_REFITS`` (candidates and refits in
parallel processes, ``N_JOBS``: the figures do not depend on it, the seconds do). The
``stack`` variants average the candidates' conditional means with the weights that minimize
that same hold-out error (:mod:`genlab.jobs.impute.stack`); each member is bagged over
``CHOSEN_REFITS`` refits and the stack's draws are shared out among the members by weight.
``genlab.impute default route`` is what ``genlab.impute(X)`` with no model gives, in its
default time budget (:mod:`genlab.bench.suites.impute_route`; its target: within 2% of the
best other genlab row of the case).

Baselines, fitted in the same process on the same data: scikit-learn's ``SimpleImputer(mean)``,
``KNNImputer(5)``, ``IterativeImputer`` (``BayesianRidge``, its default) and
``IterativeImputer(ExtraTreesRegressor(100))`` (MissForest-like). genlab rows note their ratio
to the best baseline of their case; the issue's target is at most 0.9.

Given an output folder, each tabular case also gets ``figures/calibration_<case>.png``: the
coverage of every genlab variant's intervals at the levels :data:`CALIBRATION_LEVELS`, from the
same draws (a calibrated method lies on the diagonal).

``quick=True`` runs ``wine@mcar0.2`` and ``digits@pixels0.5`` on a subset with tiny settings:
the rows are well-formed but the numbers are not the benchmark.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from genlab.bench.rows import Row, add_training_note
from genlab.bench.suites.impute_route import fit_route, route_method, with_ratios, with_route_gaps
from genlab.data.datasets import load_dataset
from genlab.data.masks import bottom_half, mcar, random_pixels
from genlab.jobs.impute import impute, intervals
from genlab.jobs.impute.bootstrap import Bootstrap
from genlab.jobs.impute.select import candidate_grid, default_candidates, select_imputer
from genlab.metrics import rmse

NAME = "impute"
TABULAR_CASES = (("wine", 0.2), ("wine", 0.5), ("breast_cancer", 0.2), ("breast_cancer", 0.5))
IMAGE_CASES = ("pixels0.5", "bottom-half")
N_DRAWS = 50  # multiple imputations behind each coverage90 row
LEVEL = 0.9
CALIBRATION_LEVELS = (0.5, 0.68, 0.8, 0.9, 0.95)
COVERAGE_TARGET = (0.85, 0.95)  # coverage90 is a calibration: neither end is "better"
QUICK = {"n_draws": 10, "n_train": 300, "n_test": 40}
SELECT_REFITS = 20  # bootstrap refits behind each candidate's hold-out score (a ranking)
CHOSEN_REFITS = 50  # bootstrap refits of the chosen mixture: bagging's variance falls as 1/B
N_JOBS = -1  # candidates and refits run on every CPU; the results do not depend on it


# ================================================================= the methods
def baselines(quick: bool = False) -> dict[str, Callable[[], Any]]:
    """Baseline name -> a new unfitted scikit-learn imputer."""
    from sklearn.ensemble import ExtraTreesRegressor
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer

    trees, rounds = (5, 2) if quick else (100, 10)
    return {
        "sklearn.SimpleImputer(mean)": lambda: SimpleImputer(strategy="mean"),
        "sklearn.KNNImputer(5)": lambda: KNNImputer(n_neighbors=5),
        "sklearn.IterativeImputer(BayesianRidge)": lambda: IterativeImputer(
            max_iter=rounds, random_state=0
        ),
        "sklearn.IterativeImputer(ExtraTrees)": lambda: IterativeImputer(
            ExtraTreesRegressor(n_estimators=trees, random_state=0),
            max_iter=rounds,
            random_state=0,
        ),
    }


def tabular_models(quick: bool = False) -> dict[str, tuple[Callable[[], Any], int]]:
    """genlab variant name -> (a new unfitted model that fits with holes, bootstrap refits).

    With refits ``B > 0`` the variant is a :class:`~genlab.jobs.impute.bootstrap.Bootstrap`
    of ``B`` refits: its RMSE row averages their conditional means and its draws come from them.
    """
    import genlab

    epochs = 5 if quick else 400
    refits = 2 if quick else 10

    def gaussian() -> Any:
        return genlab.GaussianMixture(n_components=1)

    def autoregressive() -> Any:
        return genlab.AutoregressiveModel(
            hidden_sizes=(256, 256), dropout=0.1, max_epochs=epochs, patience=60, progress=False
        )

    return {
        "genlab.GaussianMixture(n_components=1)": (gaussian, 0),
        f"genlab.GaussianMixture(n_components=1), bootstrap={refits}": (gaussian, refits),
        "genlab.AutoregressiveModel": (autoregressive, 0),
    }


def imputer_candidates(X_holes: Any, quick: bool = False, fit_data: Any = None) -> dict[str, Any]:
    """Unfitted models that :func:`select_imputer` chooses among and stacks, by name:
    :func:`~genlab.jobs.impute.select.default_candidates` (a few tiny ones when quick)."""
    if not quick:
        return default_candidates(X_holes, fit_data)
    images = np.ndim(X_holes) == 3
    mixtures = [(1, 0.1, None), (2, 0.1, None), (1, 0.1, 1)]
    return candidate_grid(mixtures, bandwidths=[4.0] if images else [])


def chosen_rows(
    case: str,
    X_holes: Any,
    X_true: np.ndarray,
    n_draws: int | None,
    quick: bool,
    fit_data: Any = None,
    calibration: dict | None = None,
) -> list[Row]:
    """Rows of the candidate :func:`select_imputer` chooses and of the stack it weights, each
    bagged over ``CHOSEN_REFITS`` refits (the stack's members each)."""
    refits = 2 if quick else CHOSEN_REFITS
    candidates = imputer_candidates(X_holes, quick, fit_data)
    start = time.perf_counter()
    choice = select_imputer(
        candidates,
        X_holes,
        bootstrap=2 if quick else SELECT_REFITS,
        fit_data=fit_data,
        random_state=0,
        progress=False,
        stack=True,
        n_jobs=N_JOBS,
    )
    seconds = time.perf_counter() - start
    scores = ", ".join(f"{_short(name)}: {v:.3f}" for name, v in choice.scores.items())
    holdout = f"hold-out RMSE in {choice.units} over {choice.n_entries} entries"
    bagged = {"random_state": 0, "n_jobs": N_JOBS}
    single = Bootstrap(candidates[choice.name], refits, **bagged)
    stack = choice.stack(candidates, bootstrap=refits, **bagged)
    rows = []
    for method, imputer, note in (
        (f"genlab.{choice.name} chosen by hold-out", single, f"{holdout}: {scores}"),
        (
            f"genlab stack of {len(stack.models)} imputers weighted by hold-out",
            stack,
            f"{holdout} {choice.stacked_score:.3f}; weights {_weights(choice.weights)}",
        ),
    ):
        start = time.perf_counter()
        imputer.fit(X_holes if fit_data is None else fit_data)
        fit_seconds = seconds + time.perf_counter() - start
        got = genlab_rows(
            case,
            imputer,
            f"{method}, bootstrap={refits}",
            X_holes,
            X_true,
            fit_seconds,
            n_draws,
            refits,
            calibration,
        )
        got[0].note = f"{got[0].note}; {note}"
        rows += got
    return rows


def route_rows(
    case: str, X_holes: Any, X_true: np.ndarray, n_draws: int | None, quick: bool, **more: Any
) -> list[Row]:
    """Rows of the default route, ``genlab.impute(X)``; ``more``: ``fit_data``, ``calibration``."""
    auto, seconds, note = fit_route(X_holes, more.get("fit_data"), quick, N_JOBS)
    refits, method = auto.report_.final_refits, route_method(quick)
    args = (X_holes, X_true, seconds, n_draws, refits, more.get("calibration"))
    got = genlab_rows(case, auto, method, *args)
    got[0].note = f"{got[0].note}; {note}"
    return got


def _short(name: str) -> str:
    """A candidate's settings: ``"GaussianMixture(n_components=2)"`` -> ``"n_components=2"``."""
    return name.split("(", 1)[1][:-1]


def _weights(weights: dict[str, float]) -> str:
    return ", ".join(f"{name}: {w:.2f}" for name, w in weights.items() if w > 0)


def image_models(quick: bool = False) -> dict[str, Callable[[], Any]]:
    """genlab variant name -> a new unfitted model for the digit images."""
    import genlab

    autoregressive = (
        {"hidden_sizes": (32,), "max_epochs": 3}
        if quick
        else {
            "hidden_sizes": (512, 512),
            "max_epochs": 600,
            "patience": 60,
            "ema_decay": 0.998,
            "max_time": 150.0,
        }
    )
    diffusion = {"width": 8, "timesteps": 50, "steps": 5, "max_epochs": 2} if quick else {}
    return {
        "genlab.AutoregressiveModel": lambda: genlab.AutoregressiveModel(
            **autoregressive, progress=False
        ),
        "genlab.KDE(bandwidth=cv)": lambda: genlab.KDE(bandwidth="scott" if quick else "cv"),
        "genlab.Diffusion": lambda: genlab.Diffusion(**diffusion, progress=False, random_state=0),
    }


# =================================================================== the rows
def _row(case: str, method: str, metric: str, value: float, seconds: float, note: str) -> Row:
    higher = metric == "coverage90"  # under-covering is the worse side of a calibration
    target = LEVEL if metric == "coverage90" else None
    return Row(NAME, "impute", case, method, metric, value, higher, round(seconds, 2), note, target)


def baseline_rows(
    case: str, X_fit: np.ndarray, X_holes: np.ndarray, X_true: np.ndarray, quick: bool
) -> list[Row]:
    """Every baseline fitted on ``X_fit``, filling ``X_holes``; one ``rmse`` row each."""
    mask = np.isnan(X_holes)
    rows = []
    for method, make in baselines(quick).items():
        start = time.perf_counter()
        with warnings.catch_warnings():  # IterativeImputer warns when it stops at max_iter
            warnings.simplefilter("ignore", ConvergenceWarning)
            imputer = make().fit(X_fit)
            filled = imputer.transform(X_holes)
        seconds = time.perf_counter() - start
        rows.append(_row(case, method, "rmse", rmse(filled, X_true, mask), seconds, ""))
    return rows


def genlab_rows(
    case: str,
    imputer: Any,
    method: str,
    X_holes: Any,
    X_true: np.ndarray,
    fit_seconds: float,
    n_draws: int | None,
    refits: int = 0,
    calibration: dict | None = None,
) -> list[Row]:
    """The fitted ``imputer``'s conditional-mean ``rmse`` and, given ``n_draws``,
    ``coverage90`` (a model, or a bootstrap ensemble of ``refits`` copies or a stack of them:
    its mean and its draws come from the same refits).
    ``calibration``, if given, receives ``method -> coverage at each CALIBRATION_LEVELS``.
    """
    mask = np.isnan(X_holes)
    start = time.perf_counter()
    filled = impute(imputer, X_holes, method="mean", random_state=0)
    seconds = fit_seconds + time.perf_counter() - start
    what = f"mean of {refits} bootstrap refits' " if refits else ""
    rows = [_row(case, method, "rmse", rmse(filled, X_true, mask), seconds, what + "cond. mean")]
    if n_draws:
        start = time.perf_counter()
        draws = impute(imputer, X_holes, n_imputations=n_draws, random_state=0)
        covered = intervals(draws, level=LEVEL).coverage(X_true, mask)
        if calibration is not None:
            calibration[method] = [
                intervals(draws, level=q).coverage(X_true, mask) for q in CALIBRATION_LEVELS
            ]
        source = f"the same {refits} bootstrap refits" if refits else "the fitted model"
        inside = COVERAGE_TARGET[0] <= covered <= COVERAGE_TARGET[1]
        note = (
            f"{n_draws} draws from {source}, Weibull-position 5%/95% quantiles; "
            f"{'inside' if inside else 'outside'} target {COVERAGE_TARGET[0]}-{COVERAGE_TARGET[1]}"
        )
        rows.append(_row(case, method, "coverage90", covered, time.perf_counter() - start, note))
    return add_training_note(rows, imputer)  # a model hit by max_time says so


def tabular_data(name: str, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """``(X, holes)`` of the case ``name@mcar<rate>``: the table standardized, ``(N, D)``,
    and a copy with MCAR holes (seed 0)."""
    X = load_dataset(name).flat()
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # (N, D) standardized units
    return X, np.where(mcar(X.shape, rate, random_state=0), np.nan, X)


def tabular_case(
    name: str, rate: float, quick: bool = False, figures: Path | None = None
) -> list[Row]:
    """``name@mcar<rate>``: standardize, punch MCAR holes, impute them with every method;
    with ``figures``, save the calibration figure of the genlab variants there."""
    X, holes = tabular_data(name, rate)
    case = f"{name}@mcar{rate}"
    rows = baseline_rows(case, holes, holes, X, quick)
    start = time.perf_counter()
    filled = impute("mean", holes)  # the lecture's baseline, through genlab
    seconds = time.perf_counter() - start
    rows.append(
        _row(
            case,
            "genlab.impute('mean')",
            "rmse",
            rmse(filled, X, np.isnan(holes)),
            seconds,
            "column means",
        )
    )
    n_draws = QUICK["n_draws"] if quick else N_DRAWS
    calibration: dict = {}
    for method, (make, refits) in tabular_models(quick).items():
        start = time.perf_counter()
        model = Bootstrap(make(), refits, random_state=0, n_jobs=N_JOBS) if refits else make()
        model.fit(holes)
        seconds = time.perf_counter() - start
        rows += genlab_rows(case, model, method, holes, X, seconds, n_draws, refits, calibration)
    rows += chosen_rows(case, holes, X, n_draws, quick, calibration=calibration)
    rows += route_rows(case, holes, X, n_draws, quick, calibration=calibration)
    if figures is not None:
        from genlab.report.figures import imputation_calibration_figure, save_figure

        title = f"{case}: coverage of {n_draws}-draw intervals"
        fig = imputation_calibration_figure(CALIBRATION_LEVELS, calibration, title=title)
        save_figure(fig, figures / f"calibration_{case}.png")
    return rows


def image_cases(quick: bool = False) -> list[Row]:
    """``digits@pixels0.5`` (only this one when quick) and ``digits@bottom-half``."""
    train, test = load_dataset("digits").split()
    if quick:
        train, test = (
            train.subset(np.arange(QUICK["n_train"])),
            test.subset(np.arange(QUICK["n_test"])),
        )
    Xtr, Xte = train.flat(), test.flat()  # (N, 64) pixel levels 0..16
    masks = {
        "pixels0.5": random_pixels(test.X.shape, 0.5, random_state=0),
        "bottom-half": bottom_half(test.X.shape),
    }
    cases = IMAGE_CASES[:1] if quick else IMAGE_CASES
    holes = {c: np.where(masks[c], np.nan, test.X.astype(np.float64)) for c in cases}
    rows = []
    for c in cases:
        flat = holes[c].reshape(len(Xte), -1)
        rows += baseline_rows(f"digits@{c}", Xtr, flat, Xte, quick)
    for method, make in image_models(quick).items():
        start = time.perf_counter()
        model = make().fit(train)
        seconds = time.perf_counter() - start
        for c in cases:
            rows += genlab_rows(f"digits@{c}", model, method, holes[c], test.X, seconds, None)
    for c in cases:
        rows += chosen_rows(f"digits@{c}", holes[c], test.X, None, quick, fit_data=train)
        rows += route_rows(f"digits@{c}", holes[c], test.X, None, quick, fit_data=train)
    return rows


def run(*, quick: bool = False, out: Path | None = None) -> list[Row]:
    """Every case, baselines first; genlab rows note their ratio to the best baseline (and
    the default route's to the best other genlab row)."""
    rows = []
    figures = None if out is None else Path(out) / "figures"
    for name, rate in TABULAR_CASES[:1] if quick else TABULAR_CASES:
        rows += tabular_case(name, rate, quick, figures)
    rows += image_cases(quick)
    return with_route_gaps(with_ratios(rows))
