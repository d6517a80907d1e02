"""Suite ``curse-of-dimensionality``: a KDE's gap to the truth grows with the dimension.

The data are :class:`~genlab.data.synthetic.NestedGaussianMixture` in d = 1, 2, 4, 8, 16, 32
dimensions (one fixed 32-D mixture of 4 Gaussians and its marginals on the first d coordinates:
the entropy per dimension stays between 0.77 and 1.30 nats), 1000 training points for every
d and 5000 fixed test points. ``gap_per_dim_nats`` is a model's test NLL minus the true
density's NLL on the same points, divided by d (0 is perfect; ``±`` is the paired standard
error), for ``genlab.KDE(bandwidth="cv")``, ``genlab.GaussianMixture()`` and ``genlab.Flow()``
/ ``genlab.AutoregressiveModel()`` with their defaults (training stops by early stopping on
the family's validation split, within ``max_epochs``; ``max_time`` is only a guard and a row
whose fit hit it says so). The mixture is in GaussianMixture's model class: the point is how
fast a nonparametric estimate falls behind, not which family wins.

``kde_n_to_match`` is the smallest training size (1000, 2000, ... up to 64000 points of the
true density, the first 1000 being the training set above) at which the KDE's gap per
dimension is at most the best other family's at 1000 points. When no size up to the cap is
enough, the value is where the log-log line through the gaps of the last sizes reaches the
target (an extrapolation, which the note says, with the gap at the cap); ``inf`` only if the
gap stopped shrinking. Its bandwidth comes from exact leave-one-out densities over all n
points, scored on up to 2000 of them (:mod:`.curse_kde`). No setting was chosen by looking at
test results: the families run with their defaults.

With an output folder, ``figures/curse_of_dimensionality.png`` draws the gap per dimension
against d, one line per family, and the KDE's gap against n for each d.
``quick=True`` runs d = 1 and 4 with tiny samples and networks: rows are well-formed, the
numbers are not the benchmark.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from genlab.bench.rows import Row, join_notes, training_note
from genlab.bench.suites.curse_kde import Sweep, sweep_sizes
from genlab.data.synthetic import NestedGaussianMixture

NAME = "curse-of-dimensionality"
KDE = "genlab.KDE"
#: Seconds a neural fit may train before its guard stops it (the rows say when it did).
GUARD_SECONDS = 300.0


@dataclass(frozen=True)
class Settings:
    """Dimensions, sample sizes and the non-default settings of each family."""

    dims: tuple[int, ...] = (1, 2, 4, 8, 16, 32)
    n_train: int = 1000
    n_test: int = 5000
    sweep: tuple[int, ...] = tuple(1000 * 2**k for k in range(7))  # 1000 .. 64000
    gmm: dict = field(default_factory=dict)
    flow: dict = field(default_factory=lambda: {"max_time": GUARD_SECONDS})
    autoregressive: dict = field(default_factory=lambda: {"max_time": GUARD_SECONDS})


FULL = Settings()
QUICK = Settings(
    dims=(1, 4),
    n_train=200,
    n_test=500,
    sweep=(200, 400, 800),
    gmm={"max_components": 3},
    flow={"transforms": 1, "hidden_features": 8, "base_components": 1, "max_epochs": 3},
    autoregressive={"hidden_sizes": (16,), "max_epochs": 3},
)


def methods(settings: Settings) -> dict[str, Callable[[], Any]]:
    """Method name -> a new unfitted model of that family."""
    import genlab

    return {
        KDE: lambda: genlab.KDE(bandwidth="cv"),
        "genlab.GaussianMixture": lambda: genlab.GaussianMixture(**settings.gmm),
        "genlab.Flow": lambda: genlab.Flow(progress=False, **settings.flow),
        "genlab.AutoregressiveModel": lambda: genlab.AutoregressiveModel(
            progress=False, **settings.autoregressive
        ),
    }


def gap_per_dim(log_prob: np.ndarray, true_log_prob: np.ndarray, dim: int) -> tuple[float, float]:
    """Mean of ``true_log_prob - log_prob`` divided by ``dim``, and its paired standard error.

    Args:
        log_prob: a model's log density at the test points, shape (n,).
        true_log_prob: the true log density at the same points, shape (n,).
        dim: the dimension of the points.

    Example:
        >>> truth = np.array([-3.0, -5.0, -4.0])
        >>> gap_per_dim(truth - 2.0, truth, 4)  # 2 nats worse everywhere: 0.5 per dimension
        (0.5, 0.0)
    """
    diff = np.asarray(true_log_prob, dtype=np.float64) - np.asarray(log_prob, dtype=np.float64)
    return float(diff.mean() / dim), float(diff.std() / math.sqrt(len(diff)) / dim)


@dataclass
class Fit:
    """A family's result at one dimension: gap per dimension, its error, seconds, model."""

    gap: float
    stderr: float
    seconds: float
    model: Any


def family_gaps(
    density: NestedGaussianMixture,
    X_train: np.ndarray,
    X_test: np.ndarray,
    makers: dict[str, Callable[[], Any]],
) -> dict[str, Fit]:
    """Fit each family on ``X_train``; its gap per dimension on ``X_test``."""
    truth = density.true_log_prob(X_test)
    fits = {}
    for method, make in makers.items():
        start = time.perf_counter()
        model = make().fit(X_train)
        log_prob = model.log_prob(X_test)
        seconds = time.perf_counter() - start
        gap, se = gap_per_dim(log_prob, truth, density.dim)
        fits[method] = Fit(gap, se, seconds, model)
    return fits


def run(*, quick: bool = False, out: Path | None = None) -> list[Row]:
    settings = QUICK if quick else FULL
    rows: list[Row] = []
    gaps: dict[int, dict[str, float]] = {}
    sweeps: dict[int, Sweep] = {}
    for d in settings.dims:
        density = NestedGaussianMixture(d)
        X_train = density.sample(settings.n_train, random_state=0)
        X_test = density.sample(settings.n_test, random_state=1)
        fits = family_gaps(density, X_train, X_test, methods(settings))
        gaps[d] = {method: fit.gap for method, fit in fits.items()}
        sweeps[d] = kde_sweep(density, X_train, X_test, fits[best_other(fits)].gap, settings)
        rows += dimension_rows(density, X_test, fits, sweeps[d], settings.n_train)
    if out is not None:
        from genlab.report.figures import save_figure

        fig = curse_figure(gaps, sweeps, n_train=settings.n_train)
        save_figure(fig, Path(out) / "figures" / "curse_of_dimensionality.png")
    return rows


def best_other(fits: dict[str, Fit]) -> str:
    """The method other than the KDE with the smallest gap."""
    return min((m for m in fits if m != KDE), key=lambda m: fits[m].gap)


def kde_sweep(
    density: NestedGaussianMixture,
    X_train: np.ndarray,
    X_test: np.ndarray,
    target: float,
    settings: Settings,
) -> Sweep:
    """The KDE refitted on growing samples whose first ``n_train`` points are ``X_train``
    (so the sweep's first size is the KDE row's fit) until it reaches ``target``."""
    extra = density.sample(max(settings.sweep) - len(X_train), random_state=2)
    pool = np.concatenate([X_train, extra])
    truth = density.true_log_prob(X_test)
    return sweep_sizes(lambda n: pool[:n], X_test, truth, target, settings.sweep)


def dimension_rows(
    density: NestedGaussianMixture,
    X_test: np.ndarray,
    fits: dict[str, Fit],
    sweep: Sweep,
    n_train: int,
) -> list[Row]:
    """The rows of one dimension: the true NLL per dimension, every family's gap, the KDE's
    training size to match the best other family."""
    truth = density.true_log_prob(X_test)
    d, name = density.dim, density.name
    se = truth.std() / math.sqrt(len(truth)) / d
    rows = [_row(name, "true density", "true_nll_per_dim_nats", -truth.mean() / d, f"±{se:.4f}")]
    for method, fit in fits.items():
        note = join_notes(f"±{fit.stderr:.4f}", _epochs(fit.model), training_note(fit.model))
        rows.append(_row(name, method, "gap_per_dim_nats", fit.gap, note, fit.seconds))
    value = sweep.matched
    if value is None:  # not reached by the cap: the extrapolation, which the note says it is
        value = sweep.extrapolated() or math.inf
    note = _match_note(sweep, best_other(fits), n_train)
    rows.append(_row(name, KDE, "kde_n_to_match", value, note, sweep.seconds))
    return rows


def _row(
    dataset: str, method: str, metric: str, value: float, note: str, seconds: float | None = None
) -> Row:
    """A lower-is-better row of this suite."""
    return Row(NAME, "density", dataset, method, metric, float(value), False, seconds, note)


def _epochs(model: Any) -> str:
    result = getattr(model, "train_result_", None)
    return "" if result is None else f"{result.epochs} epochs ({result.stopped_by})"


def _match_note(sweep: Sweep, best: str, n_train: int) -> str:
    """What the KDE reached against whom, or how far it stayed at the cap."""
    versus = f"{sweep.target:.4f} of {best} at n={n_train}"
    if sweep.matched is not None:
        return f"gap/dim {sweep.gaps[-1]:.4f} at n={sweep.matched} <= {versus}"
    cap = sweep.sizes[-1]
    note = f">{cap}: gap/dim {sweep.gaps[-1]:.4f} at n={cap} vs {versus}"
    guess = sweep.extrapolated()
    if guess is not None:
        note += f"; the log-log line through the last sizes reaches it near n={guess:.0e}"
    return note


def curse_figure(
    gaps: dict[int, dict[str, float]],
    sweeps: dict[int, Sweep] | None = None,
    *,
    n_train: int = FULL.n_train,
) -> Any:
    """Gap per dimension against d, one line per family; with ``sweeps``, a second panel of
    the KDE's gap against its training size for each d (dotted: the target it chased).

    Example:
        >>> fig = curse_figure({1: {"genlab.KDE": 0.01}, 8: {"genlab.KDE": 0.2}})
        >>> fig.axes[0].get_xlabel()
        'dimension d'
    """
    from genlab.report.charts import new_figure

    fig = new_figure(11.0 if sweeps else 6.0, 4.2)
    axes = fig.subplots(1, 2 if sweeps else 1, squeeze=False)[0]
    dims = sorted(gaps)
    ax = axes[0]
    for method in gaps[dims[0]]:
        values = [gaps[d][method] for d in dims]
        ax.plot(dims, values, marker="o", label=method.removeprefix("genlab."))
    _log_axes(ax, [v for g in gaps.values() for v in g.values()], base=2)
    ax.set_xticks(dims, [str(d) for d in dims])
    ax.set_xlabel("dimension d")
    ax.set_ylabel("(model NLL − true NLL) / d, nats")
    ax.set_title(f"Gap to the true density per dimension, {n_train} training points")
    ax.legend(fontsize=8)
    if sweeps:
        ax = axes[1]
        for i, (d, sweep) in enumerate(sorted(sweeps.items())):
            colour = f"C{i}"
            ax.plot(sweep.sizes, sweep.gaps, marker=".", color=colour, label=f"d={d}")
            ax.axhline(sweep.target, color=colour, linestyle=":", linewidth=1)
        values = [v for s in sweeps.values() for v in [*s.gaps, s.target]]
        _log_axes(ax, values, base=10)
        ax.set_xlabel("KDE training points n")
        ax.set_ylabel("KDE (NLL − true NLL) / d, nats")
        ax.set_title("KDE with more data; dotted: best other family")
        ax.legend(fontsize=8, ncol=2)
    return fig


def _log_axes(ax: Any, values: list[float], base: int) -> None:
    """Log x with plain numbers; log y too when every value is positive (a gap can dip below
    0 by chance)."""
    from matplotlib.ticker import ScalarFormatter

    ax.set_xscale("log", base=base)
    ax.xaxis.set_major_formatter(ScalarFormatter())
    if min(values) > 0:
        ax.set_yscale("log")
