"""Stacked imputation: a weighted pool of several models' conditionals, weights by hold-out error.

Models err in different ways. A Gaussian mixture's conditional mean is a smooth, global
regression on the observed entries; a kernel density's is local (a Nadaraya-Watson average of
the training rows that look alike). A weighted average of their conditional means, with the
weights that minimize the squared error on entries whose values are known, is often better
than either alone: stacking (Wolpert, 1992; Breiman, 1996), which Yao et al. (2018) carry
over to predictive distributions. :func:`stack_weights` finds the weights (non-negative and
summing to one, so the stack never extrapolates beyond its members);
:func:`~genlab.jobs.impute.select.select_imputer` with ``stack=True`` computes them from its
hold-out fills, and a :class:`StackedImputer` imputes with them.

A :class:`StackedImputer` is the linear pool ``p(x_m | x_o) = sum_i w_i p_i(x_m | x_o)`` of its
members' conditionals: its conditional mean is the weighted mean of theirs, and each multiple
imputation is drawn by one member, picked with probability ``w_i``. It is an imputer, not a
density: a pool of conditionals is not the conditional of one joint model, so it has no
``log_prob``.
Weights fitted for the mean (squared error) say nothing about the spread of the draws: a
stack's intervals are as well calibrated as its members' are.

References:
    Wolpert, D. H. (1992). Stacked generalization. Neural Networks 5(2), 241-259.
    Breiman, L. (1996). Stacked regressions. Machine Learning 24, 49-64.
    Yao, Y., Vehtari, A., Simpson, D. & Gelman, A. (2018). Using stacking to average Bayesian
    predictive distributions. Bayesian Analysis 13(3), 917-1007.

Example:
    >>> import numpy as np, genlab
    >>> from genlab.jobs.impute import impute
    >>> X = genlab.load_dataset("wine").X.to_numpy()[:, :5]
    >>> holes = X.copy(); holes[::3, 0] = np.nan
    >>> models = {k: genlab.GaussianMixture(n_components=k) for k in (1, 2)}
    >>> stack = StackedImputer(models, {1: 0.25, 2: 0.75}).fit(holes)
    >>> filled = impute(stack, holes, method="mean")
    >>> bool(np.isfinite(filled).all()), bool((filled[1::3] == X[1::3]).all())
    (True, True)
    >>> len(impute(stack, holes, n_imputations=4, random_state=0))
    4
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import nnls

from genlab.core.checks import check_impute_request
from genlab.core.errors import InputError, ModelFileError
from genlab.data.datasets import Dataset
from genlab.data.schema import infer_schema
from genlab.jobs.impute.average import average_completed
from genlab.jobs.impute.files import (
    IMPUTER_FILE,
    imputer_kind,
    load_imputer,
    member_folder,
    read_imputer_config,
    write_imputer_config,
)
from genlab.jobs.impute.fill import impute

__all__ = ["StackedImputer", "stack_weights"]

_MIN_WEIGHT = 1e-4  # weights below this are set to 0: a member that barely counts is not fitted
_KIND = "stack"  # what imputer.json records (saved stacks keep loading under this name)


@imputer_kind(_KIND)
class StackedImputer:
    """A weighted pool of imputers (see the module docstring).

    Args:
        models: name -> genlab model with the ``impute`` capability or
            :class:`~genlab.jobs.impute.bootstrap.Bootstrap` ensemble: fitted (or fitted
            here by :meth:`fit`), or, for ``impute(stack, X, bootstrap=B)``, only the template
            of the refits.
        weights: name -> non-negative weight (at least one positive); normalized to sum to 1.
    """

    def __init__(self, models: Mapping[Hashable, Any], weights: Mapping[Hashable, float]) -> None:
        if not models:
            raise InputError("a stack needs at least one model")
        if set(weights) != set(models):
            raise InputError(
                f"stack weights must name the models exactly: models {list(models)}, "
                f"weights {list(weights)}"
            )
        for name, model in models.items():
            if not callable(getattr(model, "impute", None)):
                raise InputError(f"stack member {name!r} is not a genlab model: {type(model)}")
        w = np.array([weights[name] for name in models], dtype=np.float64)  # (B,)
        if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise InputError(f"stack weights must be >= 0 and not all 0, got {w.tolist()}")
        self.models = dict(models)
        self.weights = dict(zip(models, (w / w.sum()).tolist(), strict=True))

    def __repr__(self) -> str:
        members = ", ".join(f"{name}: {w:.3f}" for name, w in self.weights.items())
        return f"StackedImputer({members})"

    def fit(self, X: Any, y: Any = None) -> StackedImputer:
        """Replaces every member by a fitted copy (same hyperparameters) and returns the stack."""
        from sklearn.base import clone

        self.models = {
            name: clone(model).fit(X) if y is None else clone(model).fit(X, y)
            for name, model in self.models.items()
        }
        return self

    def impute(
        self,
        X: Any,
        n_imputations: int = 1,
        *,
        method: str = "sample",
        condition: Any = None,
        random_state: Any = None,
    ) -> Any:
        """Impute from the pool; the arguments are a model's ``impute``'s.

        ``method="mean"`` is the weighted mean of the members' conditional means (categorical
        entries: the weighted majority); draws are shared out among the members at random
        with probabilities ``weights``.
        """

        def fill(model: Any, n: int, how: str, rng: np.random.Generator) -> Any:
            return model.impute(X, n, method=how, condition=condition, random_state=rng)

        return self._pool(fill, n_imputations, method, random_state, X)

    def impute_with_refits(
        self,
        X: Any,
        n_imputations: int = 1,
        *,
        n_refits: int,
        method: str = "sample",
        condition: Any = None,
        random_state: Any = None,
        fit_data: Any = None,
        n_jobs: int | None = None,
    ) -> Any:
        """:meth:`impute` with every member bagged (or, for draws, refitted) over ``n_refits``
        bootstrap refits, as :func:`~genlab.jobs.impute.bootstrap.bootstrap_impute` does
        (what ``impute(stack, X, bootstrap=B, fit_data=..., n_jobs=...)`` asks for)."""
        refits = {"bootstrap": n_refits, "fit_data": fit_data, "n_jobs": n_jobs}

        def fill(model: Any, n: int, how: str, rng: np.random.Generator) -> Any:
            return impute(model, X, n, method=how, condition=condition, random_state=rng, **refits)

        return self._pool(
            fill, n_imputations, method, random_state, X if fit_data is None else fit_data
        )

    def _pool(
        self,
        fill: Callable[[Any, int, str, np.random.Generator], Any],
        n_imputations: int,
        method: str,
        random_state: Any,
        rows: Any,
    ) -> Any:
        """The weighted mean of the members' ``fill(model, 1, "mean", rng)``, or ``M`` draws
        shared out among them; ``rows``: the data whose schema the mean uses while the first
        member is unfitted (the rows its refits resample)."""
        check_impute_request(n_imputations, method)
        rng = np.random.default_rng(random_state)
        names = [name for name, w in self.weights.items() if w > 0]
        weights = np.array([self.weights[name] for name in names])  # (B,) sums to 1
        if method == "mean":
            fills = [fill(self.models[name], 1, "mean", rng) for name in names]
            return average_completed(fills, self._schema(names[0], rows), weights)
        member = rng.choice(len(names), size=n_imputations, p=weights)  # (M,) who draws m
        draws: list[Any] = [None] * n_imputations
        for b, name in enumerate(names):
            slots = np.flatnonzero(member == b)
            if not len(slots):
                continue
            got = fill(self.models[name], len(slots), "sample", rng)
            for m, draw in zip(slots, got if len(slots) > 1 else [got], strict=True):
                draws[m] = draw
        return draws[0] if n_imputations == 1 else draws

    @property
    def schema_(self) -> Any:
        """The fitted members' schema (AttributeError while the first member is unfitted)."""
        return next(iter(self.models.values())).schema_

    def save(self, path: str | Path) -> Path:
        """Write the fitted members to folder ``path``: ``imputer.json`` (names and weights)
        and one folder per member (``member-00``, ...: a model or a fitted ``Bootstrap``);
        :func:`genlab.jobs.impute.load_imputer` reads it."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        members = []
        for i, (name, model) in enumerate(self.models.items()):
            folder = f"member-{i:02d}"
            model.save(path / folder)
            members.append({"name": str(name), "weight": self.weights[name], "folder": folder})
        write_imputer_config(path, _KIND, {"members": members})
        return path

    @classmethod
    def load(cls, path: str | Path) -> StackedImputer:
        """The :class:`StackedImputer` saved in folder ``path`` (see :meth:`save`); its
        members load with :func:`~genlab.jobs.impute.files.load_imputer`."""
        path = Path(path)
        members = read_imputer_config(path, _KIND).get("members")
        try:
            models = {m["name"]: load_imputer(member_folder(path, m["folder"])) for m in members}
            weights = {m["name"]: float(m["weight"]) for m in members}
            if not all(np.isfinite(w) and w >= 0 for w in weights.values()):
                raise ValueError(f"member weights must be finite and >= 0, got {weights}")
        except (KeyError, TypeError, ValueError) as e:
            raise ModelFileError(f"{path / IMPUTER_FILE} is damaged: {e!r}") from None
        return cls(models, weights)

    def _schema(self, name: Hashable, rows: Any) -> Any:
        """The members' schema: the fitted one, else inferred from the rows they resample."""
        model = self.models[name]
        if hasattr(model, "schema_"):
            return model.schema_
        return infer_schema(rows.X if isinstance(rows, Dataset) else rows)


def stack_weights(predictions: Any, truth: Any) -> np.ndarray:
    """Non-negative weights, summing to one, that minimize ``||sum_i w_i p_i - truth||^2``.

    With the weights summing to one, the residual is ``A w`` for ``A = [p_i - truth]``, a
    non-negative least-squares problem (Lawson-Hanson, scipy's ``nnls``) once the constraint
    is added as a heavily weighted extra row. Weights below ``1e-4`` are set to zero.

    Args:
        predictions: ``(B, n)``: each candidate's fill of the ``n`` known entries.
        truth: ``(n,)`` the known values.

    Returns:
        ``(B,)`` weights.

    Example:
        >>> truth = np.array([0.0, 1.0, 2.0, 3.0])
        >>> low, high = truth - 1.0, truth + 3.0  # 0.75 * low + 0.25 * high == truth
        >>> stack_weights([low, high], truth).round(6).tolist()
        [0.75, 0.25]
    """
    P = np.asarray(predictions, dtype=np.float64)  # (B, n)
    y = np.asarray(truth, dtype=np.float64)  # (n,)
    if P.ndim != 2 or y.shape != P.shape[1:] or not P.size:
        raise InputError(f"predictions must be (B, n) and truth (n,), got {P.shape}, {y.shape}")
    if not (np.isfinite(P).all() and np.isfinite(y).all()):
        raise InputError("predictions and truth must be finite")
    A = (P - y).T  # (n, B)
    big = 1e3 * max(float(np.abs(A).max()), 1.0) * np.sqrt(len(y))
    w, _ = nnls(np.vstack([A, np.full((1, len(P)), big)]), np.r_[np.zeros(len(y)), big])
    w[w < _MIN_WEIGHT] = 0.0
    return w / w.sum()
