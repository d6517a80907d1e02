"""Automatic model choice: try the families within a time budget, keep the best on held-out data.

``Auto`` holds out ``val_fraction`` of the training rows (seeded), fits every candidate family
on the rest with a share of ``max_time``, scores each by its mean validation log-likelihood
(exact, or a lower bound for bound families — so a bound family can only be under-rated), keeps
the best and refits it on all the rows. Families that cannot handle the data (categorical
columns for a flow, missing values for a KDE) are skipped with the reason recorded in
``scores_``. Everything else — sampling, imputation, saving — is the chosen model's.

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
import pandas as pd

from genlab.core.errors import GenlabError, InputError
from genlab.core.model import GenerativeModel
from genlab.data.datasets import Dataset

#: candidates tried by default, cheapest first; with their Auto-specific settings
DEFAULT_CANDIDATES = ("gmm", "kde", "flow", "autoregressive", "vae")
_TUNED = {"kde": {"bandwidth": "cv"}}
_NEURAL_SETTINGS = {"max_time", "progress"}


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
        from genlab.core.registry import FAMILIES

        labels = condition if condition is not None else y
        self._prepare_fit_data(X)  # the shared checks: empty data, missing columns, bad values
        names = list(self.candidates or [n for n in DEFAULT_CANDIDATES if n in FAMILIES])
        unknown = [n for n in names if n not in FAMILIES or n == "auto"]
        if unknown:
            raise InputError(f"unknown candidate(s) {unknown}; available: {sorted(FAMILIES)}")
        if not 0 < self.val_fraction < 1:
            raise InputError(f"val_fraction must be in (0, 1), got {self.val_fraction}")
        train, val = _split_rows(X, labels, self.val_fraction, self.random_state)
        deadline = time.perf_counter() + self.max_time
        self.scores_: dict[str, float | str] = {}
        fitted: dict[str, GenerativeModel] = {}
        for i, name in enumerate(names):
            share = max(deadline - time.perf_counter(), 1.0) / (len(names) - i)
            model = self._candidate(FAMILIES[name], share)
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
            best = self._candidate(FAMILIES[self.best_family_], budget).fit(X, labels)
        self._adopt(best)
        return self

    def _candidate(self, cls: type[GenerativeModel], seconds: float) -> GenerativeModel:
        known = cls().get_params()
        params = {k: v for k, v in _TUNED.get(cls.family, {}).items() if k in known}
        if "random_state" in known:
            params["random_state"] = self.random_state
        if "max_time" in known:
            params["max_time"] = seconds
        if "progress" in known:
            params["progress"] = self.progress
        return cls(**params)

    def _adopt(self, model: GenerativeModel) -> None:
        self.model_ = model
        self.schema_ = model.schema_
        self.n_features_in_ = model.n_features_in_
        self.classes_ = model.classes_
        self.class_log_prior_ = model.class_log_prior_

    # ======================================================== delegation
    @property
    def likelihood_is_bound(self) -> bool:
        return self.model_.likelihood_is_bound

    def _require(self, *capabilities: str) -> None:
        self._check_fitted()
        self.model_._require(*capabilities)

    def _log_prob(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        return self.model_._log_prob(A, codes)

    def _sample(self, n: int, codes: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
        return self.model_._sample(n, codes, rng)

    def _impute(
        self, A: np.ndarray, codes: np.ndarray | None, rng: np.random.Generator, method: str
    ) -> np.ndarray:
        return self.model_._impute(A, codes, rng, method)

    def encode(self, X: Any) -> np.ndarray:
        self._check_fitted()
        return self.model_.encode(X)

    def decode(self, Z: Any) -> Any:
        self._check_fitted()
        return self.model_.decode(Z)

    # ======================================================= persistence
    def _get_state(self) -> tuple[dict[str, np.ndarray], dict]:
        arrays, extra = self.model_._get_state()
        state = {
            "family": self.best_family_,
            "params": self.model_.get_params(deep=False),
            "state": extra,
            "scores": self.scores_,
        }
        return {f"inner.{k}": v for k, v in arrays.items()}, state

    def _set_state(self, arrays: dict[str, np.ndarray], extra: dict) -> None:
        from genlab.core.registry import FAMILIES

        inner = FAMILIES[extra["family"]](**extra["params"])
        inner.schema_, inner.n_features_in_ = self.schema_, self.n_features_in_
        inner.classes_, inner.class_log_prior_ = self.classes_, self.class_log_prior_
        inner._set_state({k[len("inner.") :]: v for k, v in arrays.items()}, extra["state"])
        self.best_family_, self.scores_ = extra["family"], extra["scores"]
        self.model_ = inner


def _split_rows(
    X: Any, labels: Any, val_fraction: float, seed: int | None
) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """Random train/validation rows of any container (Dataset, DataFrame, array)."""
    if isinstance(X, Dataset):
        X = X.X
    n = len(X)
    if n < 5:
        raise InputError(f"Auto needs at least 5 rows to hold some out, got {n}")
    perm = np.random.default_rng(seed).permutation(n)
    n_val = max(1, round(n * val_fraction))
    parts = []
    for rows in (perm[n_val:], perm[:n_val]):
        part = (
            X.iloc[rows].reset_index(drop=True)
            if isinstance(X, pd.DataFrame)
            else np.asarray(X)[rows]
        )
        lab = None if labels is None else np.asarray(labels)[rows]
        parts.append((part, lab))
    return parts[0], parts[1]
