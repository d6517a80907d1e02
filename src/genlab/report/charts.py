"""Charts of the report: ROC curves, confusion matrices, bits per pixel, comparisons, imputation.

Each function takes the numbers a job produced and returns a matplotlib ``Figure`` drawn on
the Agg canvas, without touching pyplot's global state (so they work in threads, in tests and
on machines without a display). Axis labels and titles say what is shown and in which units,
because a report figure is read without its code. Sample grids, interpolation strips, latent
maps, density contours and the calibration of multiple imputation are in
:mod:`genlab.report.figures`, whose ``save_figure`` writes these figures too.

Example:
    >>> import numpy as np
    >>> fig = roc_figure({"KDE": (np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))})
    >>> fig.axes[0].get_xlabel()
    'false positive rate (normal rows flagged)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from genlab.core.errors import InputError

#: Colour of genlab's own bars; baselines are grey so the comparison reads at a glance.
GENLAB_COLOUR = "tab:blue"
BASELINE_COLOUR = "0.6"


def new_figure(width: float = 6.0, height: float = 4.0) -> Figure:
    """A Figure on its own Agg canvas (no pyplot state).

    Example:
        >>> new_figure(3, 2).get_size_inches().tolist()
        [3.0, 2.0]
    """
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


# ================================================================ density jobs
def roc_figure(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str = "") -> Figure:
    """ROC curves of anomaly scores, one per detector, with the area under each in the legend.

    Args:
        curves: name -> ``(is_anomaly, score)``: true labels (1 = anomaly) and scores (higher
            = more anomalous), both shape ``(N,)``.
        title: the figure title (default: says what the curve is).

    Example:
        >>> fig = roc_figure({"a": (np.array([0, 1]), np.array([0.0, 1.0]))})
        >>> fig.axes[0].get_legend().get_texts()[0].get_text()
        'a (AUROC 1.000)'
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    if not curves:
        raise InputError("roc_figure needs at least one (labels, scores) pair")
    fig = new_figure(5.0, 4.5)
    ax = fig.subplots()
    for name, (labels, scores) in curves.items():
        labels = np.asarray(labels).astype(int)
        if len(np.unique(labels)) != 2:
            raise InputError(f"{name}: ROC needs both normal (0) and anomalous (1) rows")
        fpr, tpr, _ = roc_curve(labels, scores)
        ax.plot(fpr, tpr, label=f"{name} (AUROC {roc_auc_score(labels, scores):.3f})")
    ax.plot([0, 1], [0, 1], color="0.7", linestyle=":", label="chance")
    ax.set_xlabel("false positive rate (normal rows flagged)")
    ax.set_ylabel("true positive rate (anomalies flagged)")
    ax.set_title(title or "Anomaly detection: ROC of the score −log p(x)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    return fig


def confusion_matrix_figure(
    y_true: Sequence, y_pred: Sequence, labels: Sequence | None = None, title: str = ""
) -> Figure:
    """Confusion matrix as a heat map with counts; rows are true classes, columns predicted.

    Example:
        >>> fig = confusion_matrix_figure([0, 1, 1], [0, 1, 0])
        >>> fig.axes[0].get_ylabel(), len(fig.axes[0].texts)
        ('true class', 4)
    """
    from sklearn.metrics import confusion_matrix

    labels = np.unique(np.concatenate([y_true, y_pred])) if labels is None else np.asarray(labels)
    counts = confusion_matrix(y_true, y_pred, labels=labels)  # (C, C)
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    fig = new_figure(5.0, 4.5)
    ax = fig.subplots()
    ax.imshow(counts, cmap="Blues")
    for (i, j), value in np.ndenumerate(counts):
        dark = value > counts.max() / 2
        ax.text(
            j,
            i,
            str(value),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if dark else "black",
        )
    ticks = np.arange(len(labels))
    ax.set_xticks(ticks, [str(c) for c in labels])
    ax.set_yticks(ticks, [str(c) for c in labels])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title or f"Generative classifier: accuracy {accuracy:.1%}")
    return fig


def model_comparison_figure(table: pd.DataFrame, confidence: float = 0.95) -> Figure:
    """Held-out bits per dimension of each model with its confidence interval.

    Args:
        table: the result of :func:`genlab.compare` (index: model name; columns
            ``bits_per_dim``, ``bits_per_dim_se``, ``bound``).
        confidence: level of the normal interval drawn around each mean.

    Example:
        >>> t = pd.DataFrame({"bits_per_dim": [1.9, 2.5], "bits_per_dim_se": [0.01, 0.02],
        ...                   "bound": [False, True]}, index=["ar", "kde"])
        >>> model_comparison_figure(t).axes[0].get_xlabel()
        'bits per dimension on held-out data (lower is better), 95% interval'
    """
    from scipy import stats

    z = stats.norm.ppf((1 + confidence) / 2)
    table = table.sort_values("bits_per_dim", ascending=False)
    fig = new_figure(6.0, 0.6 + 0.45 * len(table))
    ax = fig.subplots()
    y = np.arange(len(table))
    bound = table["bound"].to_numpy(dtype=bool)
    ax.barh(
        y,
        table["bits_per_dim"],
        xerr=z * table["bits_per_dim_se"],
        capsize=3,
        color=[BASELINE_COLOUR if b else GENLAB_COLOUR for b in bound],
    )
    names = [
        f"{n} (bound)" if b else f"{n} (exact)" for n, b in zip(table.index, bound, strict=True)
    ]
    ax.set_yticks(y, names)
    ax.set_xlabel(
        f"bits per dimension on held-out data (lower is better), {confidence:.0%} interval"
    )
    ax.set_title("Model comparison: blue = exact likelihood, grey = a bound")
    return fig


# ==================================================================== compress
def bits_per_pixel_figure(
    bits: Mapping[str, float], *, ideal: float | None = None, genlab_prefix: str = "genlab"
) -> Figure:
    """Bars of bits per pixel for each compressor (shortest first); genlab's bars in blue.

    Args:
        bits: compressor name -> bits per pixel of the compressed test images.
        ideal: the model's ``-log2 p(x)`` per pixel, drawn as a dashed line (what an ideal
            entropy coder would reach).
        genlab_prefix: names starting with it are genlab's.

    Example:
        >>> fig = bits_per_pixel_figure({"genlab": 1.9, "gzip-9": 3.1}, ideal=1.88)
        >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
        ['gzip-9', 'genlab']
    """
    if not bits:
        raise InputError("bits_per_pixel_figure needs at least one compressor")
    order = sorted(bits, key=bits.get, reverse=True)  # longest at the bottom of the list
    fig = new_figure(6.0, 0.8 + 0.4 * len(order))
    ax = fig.subplots()
    y = np.arange(len(order))
    values = [bits[k] for k in order]
    colours = [GENLAB_COLOUR if k.startswith(genlab_prefix) else BASELINE_COLOUR for k in order]
    ax.barh(y, values, color=colours)
    for yi, v in zip(y, values, strict=True):
        ax.text(v, yi, f" {v:.2f}", va="center", fontsize=8)
    if ideal is not None:
        ax.axvline(ideal, color="tab:red", linestyle="--", label=f"model −log2 p(x): {ideal:.2f}")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_yticks(y, order)
    ax.set_xlabel("bits per pixel (lower is better; raw 0..16 pixels need log2 17 = 4.09)")
    ax.set_title("Lossless compression of the test digits")
    ax.set_xlim(0, max(values) * 1.15)
    return fig


# ===================================================================== impute
def imputation_figure(
    rmse: Mapping[str, float], coverage: Mapping[str, float], level: float = 0.9
) -> Figure:
    """Two panels: error of the filled entries, and coverage of the nominal ``level`` intervals.

    Args:
        rmse: method -> root mean squared error over the missing entries.
        coverage: method -> share of true missing values inside its intervals (a method with
            a single filled value has zero-width intervals).
        level: the nominal level, drawn as the target line.

    Example:
        >>> fig = imputation_figure({"mean": 1.0, "gmm": 0.6}, {"mean": 0.0, "gmm": 0.88})
        >>> [ax.get_xlabel() for ax in fig.axes]
        ['RMSE of the filled entries (lower is better)', 'coverage of 90% intervals']
    """
    fig = new_figure(10.0, max(2.6, 1.2 + 0.45 * max(len(rmse), len(coverage))))
    left, right = fig.subplots(1, 2)
    for ax, values in ((left, rmse), (right, coverage)):
        names = list(values)
        ax.barh(np.arange(len(names)), [values[k] for k in names], color=GENLAB_COLOUR)
        ax.set_yticks(np.arange(len(names)), names)
        for i, k in enumerate(names):
            ax.text(values[k], i, f" {values[k]:.2f}", va="center", fontsize=8)
    left.set_xlim(0, 1.2 * max(rmse.values(), default=1.0))
    left.set_xlabel("RMSE of the filled entries (lower is better)")
    right.axvline(level, color="tab:red", linestyle="--")
    right.set_xlim(0, 1.1)
    right.set_xlabel(f"coverage of {level:.0%} intervals")
    left.set_title("Single imputation: error")
    right.set_title(f"Multiple imputation: calibration (target {level:.0%}, red)")
    fig.tight_layout()
    return fig
