"""Automatic model choice: try the families within a time budget, keep the best on held-out data.

``Auto`` holds out ``val_fraction`` of the training rows (seeded), fits every candidate family
on the rest with a share of ``max_time``, scores each by its mean validation log-likelihood
(exact, or a lower bound for bound families — so a bound family can only be under-rated), keeps
the best and refits it on all the rows. Families that cannot handle the data (categorical
columns for a flow, missing values for a KDE) are skipped with the reason recorded in
``scores_``. Everything else — likelihoods, sampling, imputation, latents — is the chosen
model's: Auto answers each request with the chosen model's public method (``model_``), so its
results are that model's own. Saving is the one delegation below the public interface: Auto's
saved state is the chosen model's (its persistence hooks ``_get_state``/``_set_state``, the
contract of :mod:`genlab.core.model` that :func:`~genlab.core.persistence.save_model` uses for
every model), stored under ``inner.`` beside the family's name, settings and ``scores_``.

Example:
    >>> import genlab
    >>> auto = genlab.Auto(candidates=["kde", "gmm"], max_time=60).fit(genlab.load_dataset("iris"))
    >>> auto.best_family_ in ("kde", "gmm"), sorted(auto.scores_)
    (True, ['gmm', 'kde'])
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from genlab.core.checks import check_positive_finite
from genlab.core.condition import training_labels
from genlab.core.errors import GenlabError, InputError
from genlab.core.model import GenerativeModel
from genlab.core.registry import FAMILIES, family_class, family_params
from genlab.data.rows import split_rows

#: candidates tried by default, cheapest first (each with its family's defaults, which choose
#: their own settings on the training rows: KDE's bandwidth, the mixtures' components)
DEFAULT_CANDIDATES = ("gmm", "kde", "flow", "autoregressive", "vae")
_MIN_ROWS = 5  # rows needed to hold some out for validation


class Auto(GenerativeModel):
    """Pick the family with the best validation log-likelihood (see module docstring).

    Args:
        candidates: family names (``genlab.FAMILIES``) to try; default: all registered of
            gmm, kde, flow, autoregressive, vae.
        max_time: total seconds for the search; neural candidates get an equal share of
            what is left when their turn comes.
        val_fraction: share of the rows held out to compare the candidates.
        refit: refit the winner on all rows (True) or keep the one fitted on the rest.
        progress: show neural training progress bars.
        random_state: seed for the split and every candidate.
    """

    family = "auto"
    capabilities = frozenset({"sample", "exact_likelihood", "likelihood_bound", "impute"})
    fits_missing = True

    def __init__(
        self,
        *,
        candidates: list[str] | None = None,
        max_time: float = 180.0,
        val_fraction: float = 0.2,
        refit: bool = True,
        progress: bool = False,
        random_state: int | None = 0,
    ) -> None:
        self.candidates = candidates
        self.max_time = max_time
        self.val_fraction = val_fraction
        self.refit = refit
        self.progress = progress
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, *, condition: Any = None) -> Auto:
        """Score every candidate on held-out rows, keep the best (refitted on all rows)."""
        labels = training_labels(y, condition, self.condition_kinds, "Auto")
        self._prepare_fit_data(X)  # the shared checks: empty data, missing columns, bad values
        names = list(self.candidates or [n for n in DEFAULT_CANDIDATES if n in FAMILIES])
        unknown = [n for n in names if n not in FAMILIES or n == "auto"]
        if unknown:
            raise InputError(f"unknown candidate(s) {unknown}; available: {sorted(FAMILIES)}")
        check_positive_finite("max_time", self.max_time)  # 0 would still run every family
        if not 0 < self.val_fraction < 1:
            raise InputError(f"val_fraction must be in (0, 1), got {self.val_fraction}")
        train, val = _split(X, labels, self.val_fraction, self.random_state)
        deadline = time.perf_counter() + self.max_time
        self.scores_: dict[str, float | str] = {}
        fitted: dict[str, GenerativeModel] = {}
        for i, name in enumerate(names):
            share = max(deadline - time.perf_counter(), 1.0) / (len(names) - i)
            model = self._candidate(family_class(name), share)
            try:
                model.fit(train[0], train[1])
                self.scores_[name] = float(np.mean(model.log_prob(val[0], condition=val[1])))
                fitted[name] = model
            except GenlabError as e:
                self.scores_[name] = f"skipped: {e}"
        if not fitted:
            raise InputError(f"no candidate family could fit this data: {self.scores_}")
        self.best_family_ = max(fitted, key=lambda n: self.scores_[n])
        best = fitted[self.best_family_]
        if self.refit:
            budget = max(deadline - time.perf_counter(), self.max_time / (len(names) + 1))
            best = self._candidate(family_class(self.best_family_), budget).fit(X, labels)
        self._adopt(best)
        return self

    def _candidate(self, cls: type[GenerativeModel], seconds: float) -> GenerativeModel:
        """A new ``cls`` with Auto's settings that it takes (seed, time share, progress)."""
        wanted = {
            "random_state": self.random_state,
            "max_time": seconds,
            "progress": self.progress,
        }
        return cls(**family_params(cls, wanted, strict=False))

    def _adopt(self, model: GenerativeModel) -> None:
        self.model_ = model
        self.schema_ = model.schema_
        self.n_features_in_ = model.n_features_in_
        self.classes_ = model.classes_
        self.class_log_prior_ = model.class_log_prior_

    # ======================================================== delegation
    @property
    def likelihood_is_bound(self) -> bool:
        """The chosen model's."""
        return self.model_.likelihood_is_bound

    def log_prob(self, X: Any, condition: Any = None) -> np.ndarray:
        """The chosen model's ``log_prob``: nats per row, ``(N,)``."""
        return self._chosen().log_prob(X, condition)

    def log_prob_per_class(self, X: Any) -> np.ndarray:
        """The chosen model's ``log_prob_per_class``: ``(N, C)``."""
        return self._chosen().log_prob_per_class(X)

    def sample(self, n: int = 1, condition: Any = None, random_state: Any = None) -> Any:
        """``n`` samples of the chosen model."""
        return self._chosen().sample(n, condition, random_state)

    def impute(
        self,
        X: Any,
        n_imputations: int = 1,
        *,
        condition: Any = None,
        method: str = "sample",
        random_state: Any = None,
    ) -> Any:
        """The chosen model's imputation of ``X``'s holes (arguments as its ``impute``)."""
        return self._chosen().impute(
            X, n_imputations, condition=condition, method=method, random_state=random_state
        )

    def encode(self, X: Any) -> np.ndarray:
        """The chosen model's latent codes of ``X``."""
        return self._chosen().encode(X)

    def decode(self, Z: Any) -> Any:
        """The chosen model's data decoded from codes ``Z``."""
        return self._chosen().decode(Z)

    def interpolate(
        self, x0: Any, x1: Any, steps: int = 8, *, method: str = "slerp", condition: Any = None
    ) -> Any:
        """The chosen model's latent path from ``x0`` to ``x1``, decoded."""
        return self._chosen().interpolate(x0, x1, steps, method=method, condition=condition)

    def _chosen(self) -> GenerativeModel:
        self._check_fitted()
        return self.model_

    # ======================================================= persistence
    def _get_state(self) -> tuple[dict[str, np.ndarray], dict]:
        # The chosen model's own state (see the module docstring), under "inner.".
        arrays, extra = self.model_._get_state()
        state = {
            "family": self.best_family_,
            "params": self.model_.get_params(deep=False),
            "state": extra,
            "scores": self.scores_,
        }
        return {f"inner.{k}": v for k, v in arrays.items()}, state

    @classmethod
    def _state_columns(cls, config: dict, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        # the chosen family's declaration, read from its state as saved under "inner."
        extra = config["state"]
        inner = {k[len("inner.") :]: v for k, v in arrays.items() if k.startswith("inner.")}
        state = {**config, "params": extra["params"], "state": extra["state"]}
        return family_class(extra["family"])._state_columns(state, inner)

    def _set_state(self, arrays: dict[str, np.ndarray], extra: dict) -> None:
        inner = family_class(extra["family"])(**extra["params"])
        inner.schema_, inner.n_features_in_ = self.schema_, self.n_features_in_
        inner.classes_, inner.class_log_prior_ = self.classes_, self.class_log_prior_
        inner._set_state({k[len("inner.") :]: v for k, v in arrays.items()}, extra["state"])
        self.best_family_, self.scores_ = extra["family"], extra["scores"]
        self.model_ = inner


def _split(
    X: Any, labels: Any, val_fraction: float, seed: int | None
) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """Seeded random ``((train, labels), (validation, labels))`` rows of any container."""
    try:
        return split_rows(X, labels, val_fraction, seed, min_rows=_MIN_ROWS)
    except InputError as e:
        raise InputError(f"Auto: {e}") from None
