"""Model comparison on held-out data: negative log-likelihood with honest error bars.

:func:`compare` scores every model on the same test rows and returns one row per model: the
mean negative log-likelihood in nats per example and in bits per dimension, each with its
standard error, and the paired difference to the best model with a confidence interval.
Differences are paired (the same examples under both models), so their intervals are much
narrower than the two standard errors suggest: two models whose error bars overlap can still
differ clearly. A column ``bound`` says which numbers come from a likelihood bound (a VAE's
IWAE bound, a continuous density dequantized on integer data): their NLL is an upper bound
on the true one, so a bound that loses may still hide a better model.

:func:`plot_log_likelihood_differences` draws the per-example differences
``log p_model(x) - log p_best(x)``, which show whether a model wins everywhere a little or
somewhere a lot. :func:`compare_saved` does both for saved models (``genlab compare``).

Example:
    >>> import genlab
    >>> train, test = genlab.load_dataset("wine").split()
    >>> models = {"gmm": genlab.GaussianMixture(n_components=1).fit(train),
    ...           "kde": genlab.KDE().fit(train)}
    >>> table = genlab.compare(models, test)
    >>> sorted(table.index), float(table["diff_nats"].iloc[0]), bool(table["bound"].any())
    (['gmm', 'kde'], 0.0, False)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from genlab.core.errors import InputError
from genlab.core.units import bits_per_dim

COLUMNS = (
    "family",
    "nll_nats",
    "nll_nats_se",
    "bits_per_dim",
    "bits_per_dim_se",
    "diff_nats",
    "diff_ci_low",
    "diff_ci_high",
    "bound",
    "note",
)


def log_likelihoods(models: Any, X_test: Any, *, condition: Any = None) -> pd.DataFrame:
    """``log p(x)`` of every test row under every model, nats, shape ``(N, M)``.

    Args:
        models: a mapping name -> fitted model, or a sequence of fitted models (named by
            family, with ``#2``, ``#3`` for repeats).
        X_test: held-out data in any form the models accept.
        condition: class labels of the rows for class-conditional models (None: marginal).
    """
    named = _named(models)
    dims = {name: m.n_features_in_ for name, m in named.items()}
    if len(set(dims.values())) > 1:
        raise InputError(f"the models were fitted on different numbers of columns: {dims}")
    return pd.DataFrame({name: m.log_prob(X_test, condition) for name, m in named.items()})


def compare(
    models: Any,
    X_test: Any,
    *,
    condition: Any = None,
    confidence: float = 0.95,
    plot: str | Path | None = None,
) -> pd.DataFrame:
    """Held-out NLL of each model, with standard errors and paired differences to the best.

    Args:
        models: a mapping name -> fitted model, or a sequence of fitted models.
        X_test: held-out data (never the training data: that rewards overfitting).
        condition: class labels of the rows for class-conditional models (None: marginal).
        confidence: level of the intervals on the paired differences.
        plot: if given, a path where :func:`plot_log_likelihood_differences` saves its figure.

    Returns:
        One row per model (index: its name), best (lowest ``nll_nats``) first. Columns:
        ``family``; ``nll_nats`` and ``nll_nats_se`` (mean ``-log p(x)`` per example and its
        standard error); ``bits_per_dim`` and ``bits_per_dim_se`` (the same divided by
        ``D log 2``); ``diff_nats``, ``diff_ci_low``, ``diff_ci_high`` (mean paired
        difference of NLL to the best model, nats per example, and its t interval; 0 and NaN
        for the best); ``bound`` (True when the model's likelihood is a lower bound, so its
        NLL is an upper bound); ``note`` (the same in words).
    """
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be in (0, 1), got {confidence}")
    named = _named(models)
    log_probs = log_likelihoods(named, X_test, condition=condition)
    table = comparison_table(
        log_probs,
        n_dims=next(iter(named.values())).n_features_in_,
        bounds={name: bool(m.likelihood_is_bound) for name, m in named.items()},
        families={name: m.family for name, m in named.items()},
        confidence=confidence,
    )
    if plot is not None:
        plot_log_likelihood_differences(log_probs, plot, reference=table.index[0])
    return table


def comparison_table(
    log_probs: pd.DataFrame,
    *,
    n_dims: int,
    bounds: Mapping[str, bool],
    families: Mapping[str, str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The table of :func:`compare` from per-example log-likelihoods ``(N, M)`` (nats).

    Example:
        >>> lp = pd.DataFrame({"a": [-1.0, -2.0, -3.0], "b": [-2.0, -2.5, -3.5]})
        >>> t = comparison_table(lp, n_dims=1, bounds={"a": False, "b": True})
        >>> t["nll_nats"].round(3).tolist(), round(float(t.loc["b", "diff_nats"]), 3)
        ([2.0, 2.667], 0.667)
        >>> t["bound"].tolist()
        [False, True]
    """
    nll = -log_probs.to_numpy(dtype=np.float64)  # (N, M)
    n = len(nll)
    if n < 2:
        raise InputError(f"comparison needs at least 2 test rows, got {n}")
    if not np.isfinite(nll).all():
        bad = log_probs.columns[~np.isfinite(nll).all(axis=0)].tolist()
        raise InputError(f"model(s) {bad} gave a non-finite log-likelihood on the test rows")
    mean, se = nll.mean(axis=0), nll.std(axis=0, ddof=1) / math.sqrt(n)
    best = int(np.argmin(mean))
    diff = nll - nll[:, [best]]  # (N, M) paired differences to the best model
    diff_mean, diff_se = diff.mean(axis=0), diff.std(axis=0, ddof=1) / math.sqrt(n)
    half = stats.t.ppf((1 + confidence) / 2, n - 1) * diff_se
    half[best] = np.nan
    to_bits = float(bits_per_dim(-1.0, n_dims))  # one nat per example, in bits per dim
    names = list(log_probs.columns)
    is_bound = np.array([bool(bounds[name]) for name in names])
    table = pd.DataFrame(
        {
            "family": [(families or {}).get(name, "") for name in names],
            "nll_nats": mean,
            "nll_nats_se": se,
            "bits_per_dim": mean * to_bits,
            "bits_per_dim_se": se * to_bits,
            "diff_nats": diff_mean,
            "diff_ci_low": diff_mean - half,
            "diff_ci_high": diff_mean + half,
            "bound": is_bound,
            "note": np.where(is_bound, "upper bound on the NLL (likelihood bound)", "exact"),
        },
        index=pd.Index(names, name="model"),
    )
    return table.sort_values("nll_nats", kind="stable")


def plot_log_likelihood_differences(
    log_probs: pd.DataFrame, path: str | Path, *, reference: str | None = None
) -> Path:
    """Histograms of ``log p_model(x) - log p_reference(x)`` per test example, one panel per
    model; saved to ``path`` (PNG, PDF or SVG by suffix) without touching pyplot's state.

    Args:
        log_probs: per-example log-likelihoods ``(N, M)`` from :func:`log_likelihoods`.
        path: file to write.
        reference: the model the others are compared with (default: highest mean).

    Example:
        >>> import tempfile, os
        >>> lp = pd.DataFrame({"a": [-1.0, -2.0, -3.0], "b": [-2.0, -2.5, -3.5]})
        >>> with tempfile.TemporaryDirectory() as d:
        ...     out = plot_log_likelihood_differences(lp, os.path.join(d, "diff.png"))
        ...     out.stat().st_size > 0
        True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    reference = reference or str(log_probs.mean().idxmax())
    if reference not in log_probs.columns:
        raise InputError(f"reference {reference!r} is not among {list(log_probs.columns)}")
    others = [c for c in log_probs.columns if c != reference] or [reference]
    fig = Figure(figsize=(7, 1.2 + 1.8 * len(others)))
    FigureCanvasAgg(fig)  # the Agg canvas, whatever pyplot's backend is
    axes = fig.subplots(len(others), 1, sharex=True, squeeze=False)[:, 0]
    for ax, name in zip(axes, others, strict=True):
        diff = (log_probs[name] - log_probs[reference]).to_numpy()  # (N,)
        ax.hist(diff, bins=min(50, max(10, len(diff) // 10)), color="tab:blue", alpha=0.8)
        ax.axvline(0.0, color="black", linewidth=1)
        ax.axvline(diff.mean(), color="tab:red", linestyle="--", linewidth=1)
        ax.set_title(
            f"{name}: mean {diff.mean():+.3g} nats, better on {np.mean(diff > 0):.0%} of rows",
            fontsize=9,
        )
        ax.set_ylabel("rows")
    axes[-1].set_xlabel(f"log p_model(x) − log p_{reference}(x)  (nats per example)")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


def compare_saved(
    model_dirs: Sequence[str | Path],
    data: str | Path,
    *,
    label_column: str | None = None,
    confidence: float = 0.95,
    plot: str | Path | None = None,
    na_values: Sequence[str] = (),
) -> pd.DataFrame:
    """:func:`compare` for saved models (folders of ``model.save``) on DATA (what ``genlab
    compare DIR1 DIR2 ... DATA`` runs). Models are named by their folder; ``label_column``
    makes DATA's labels the condition of class-conditional models; ``na_values`` are more
    cells of DATA to read as missing (as ``open_data``'s)."""
    from genlab.core.persistence import load_model
    from genlab.data.sources import open_data

    if len(model_dirs) < 1:
        raise InputError("compare needs at least one saved model folder")
    names = _unique([Path(d).name or str(d) for d in model_dirs])
    models = {name: load_model(d) for name, d in zip(names, model_dirs, strict=True)}
    ds = open_data(data, label_column=label_column, na_values=na_values)
    return compare(models, ds.X, condition=ds.y, confidence=confidence, plot=plot)


def _named(models: Any) -> dict[str, Any]:
    if isinstance(models, Mapping):
        named = {str(k): v for k, v in models.items()}
    elif isinstance(models, Sequence) and not isinstance(models, str):
        named = dict(
            zip(_unique([getattr(m, "family", "") or "model" for m in models]), models, strict=True)
        )
    else:
        raise InputError(
            f"models must be a mapping name -> model or a list of models, got {models!r}"
        )
    if not named:
        raise InputError("compare needs at least one model")
    for name, m in named.items():
        if not hasattr(m, "log_prob") or not hasattr(m, "likelihood_is_bound"):
            raise InputError(f"model {name!r} is not a genlab model (no log_prob)")
    return named


def _unique(names: list[str]) -> list[str]:
    """Names with ``#2``, ``#3``... appended to repeats."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out
