"""The interface every model family implements (see DESIGN.md, "The model interface").

:class:`GenerativeModel` is the scikit-learn-style façade: it validates input once, turns the
user's data into a float64 matrix through the :class:`~genlab.data.schema.Schema`, handles
class labels, random states, missing-value bookkeeping, persistence and capability errors, and
calls a handful of small hooks that a family implements on plain arrays:

=========================  ===============================================================
hook                       contract
=========================  ===============================================================
``_fit(A, codes)``         ``A`` (N, D) float64 with NaN for missing entries (only when the
                           family ``fits_missing``); ``codes`` (N,) int class codes or None
``_log_prob(A, codes)``    (N,) nats; NaN entries in ``A`` are marginalized out
``_sample(n, codes, rng)`` (n, D) float64 on the encoded scale
``_impute(A, codes, rng,   (N, D) with the NaN entries of ``A`` filled, either a draw from
method)``                  p(x_m | x_o) (``"sample"``) or its mean (``"mean"``)
``_get_state()``           ``(arrays, extra)``: numpy arrays for safetensors, JSON for the rest
``_set_state(arrays,       restores what ``_get_state`` returned
extra)``
=========================  ===============================================================

Labels given to ``fit(X, y)`` make the model class-conditional: ``sample(n, condition=...)``
and ``log_prob(X, condition=...)`` then work per class, and ``log_prob(X)`` without a condition
is the marginal ``log sum_c p(c) p(x | c)``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.base import BaseEstimator

from genlab.data.datasets import Dataset
from genlab.data.schema import Schema, infer_schema
from genlab.errors import CapabilityError, InputError, NotFittedError

#: Bumped when the saved layout changes in a way older readers cannot handle.
MODEL_FORMAT_VERSION = 1
CONFIG_FILE = "model.json"
WEIGHTS_FILE = "weights.safetensors"

#: The capabilities a family may declare; ``CapabilityError`` messages name families by these.
CAPABILITIES = (
    "sample",
    "exact_likelihood",
    "likelihood_bound",
    "impute",
    "latent",
    "compress",
    "conditional",
)


class GenerativeModel(BaseEstimator):
    """Base class of every family: ``fit``, ``log_prob``, ``sample``, ``impute``, ``save``.

    Subclasses set :attr:`family`, :attr:`capabilities` and implement the hooks listed in the
    module docstring. ``__init__`` of a subclass only stores keyword-only hyperparameters.
    """

    family: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[str]] = frozenset()
    #: True when ``fit`` accepts missing entries (EM over observed entries, MIWAE, ...).
    fits_missing: ClassVar[bool] = False
    #: Smallest number of training rows that makes sense for the family.
    min_rows: ClassVar[int] = 2

    # ================================================================== fit
    def fit(self, X: Any, y: Any = None, *, condition: Any = None) -> GenerativeModel:
        """Fit the model to ``X`` (ndarray, DataFrame, image array or :class:`Dataset`).

        Args:
            X: training data; NaN/None mark missing entries (only for families that can fit
                with missing values, e.g. ``GaussianMixture``).
            y: optional class labels: the model becomes class-conditional.
            condition: same as ``y`` (the name used by the rest of the interface).

        Returns:
            self
        """
        schema, A = self._prepare_fit_data(X)
        labels = condition if condition is not None else y
        codes = None
        self.classes_ = None
        self.class_log_prior_ = None
        if labels is not None:
            self.classes_, codes = _encode_labels(labels, len(A))
            counts = np.bincount(codes, minlength=len(self.classes_))
            self.class_log_prior_ = np.log(counts / counts.sum())
        self.schema_ = schema
        self.n_features_in_ = schema.n_columns
        self._fit(A, codes)
        return self

    def _prepare_fit_data(self, X: Any) -> tuple[Schema, np.ndarray]:
        if isinstance(X, Dataset):
            schema, X = X.schema, X.X
        elif X is None:
            raise InputError("X is None: fit needs data")
        else:
            schema = infer_schema(X)
        A = schema.encode(X)
        if len(A) < self.min_rows:
            raise InputError(
                f"X has {len(A)} row(s); {type(self).__name__} needs at least {self.min_rows}"
            )
        missing = np.isnan(A)
        empty = missing.all(axis=0)
        if empty.any():
            raise InputError(f"column {schema.names[int(np.argmax(empty))]!r} is entirely missing")
        if missing.any() and not self.fits_missing:
            r, c = np.argwhere(missing)[0]
            raise InputError(
                f"X has a missing value at row {r}, column {schema.names[c]!r}; "
                f"{type(self).__name__} cannot fit with missing values. "
                f"Use one of {_families_with('fits_missing')} or impute first."
            )
        return schema, A

    # ========================================================= likelihoods
    def log_prob(self, X: Any, condition: Any = None) -> np.ndarray:
        """Log-likelihood of each row in nats, shape ``(N,)``.

        Missing entries (NaN) are marginalized out. For continuous families on integer
        columns this is the dequantization lower bound (see ``likelihood_is_bound``).
        """
        self._require("exact_likelihood", "likelihood_bound")
        A = self._encode(X)
        codes = self._encode_condition(condition, len(A))
        if not len(A):  # no rows, nothing to score (as sample(0) draws nothing)
            return np.zeros(0)
        if self.classes_ is not None and codes is None:
            return self._log_prob_marginal(A)
        return self._log_prob(A, codes)

    def log_prob_per_class(self, X: Any) -> np.ndarray:
        """``log p(x | c)`` for every class, shape ``(N, C)``; needs a class-conditional fit."""
        self._require("exact_likelihood", "likelihood_bound")
        if self.classes_ is None:
            raise InputError("the model was fitted without labels; fit(X, y) first")
        A = self._encode(X)
        return np.stack(
            [self._log_prob(A, np.full(len(A), c)) for c in range(len(self.classes_))], axis=1
        )

    def _log_prob_marginal(self, A: np.ndarray) -> np.ndarray:
        per_class = np.stack(
            [self._log_prob(A, np.full(len(A), c)) for c in range(len(self.classes_))], axis=1
        )
        return logsumexp(per_class + self.class_log_prior_, axis=1)

    @property
    def likelihood_is_bound(self) -> bool:
        """True when ``log_prob`` is a lower bound rather than the exact log-likelihood."""
        self._check_fitted()
        return "exact_likelihood" not in self.capabilities or self._dequantizes()

    def _dequantizes(self) -> bool:
        return False

    def bits_per_dim(self, X: Any, condition: Any = None) -> float:
        """Mean negative log-likelihood in bits per dimension (per pixel for images)."""
        return float(-np.mean(self.log_prob(X, condition)) / (self.n_features_in_ * np.log(2)))

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood per example (nats), so that GridSearchCV can compare models."""
        return float(np.mean(self.log_prob(X, condition=y)))

    # ============================================================== sample
    def sample(self, n: int = 1, condition: Any = None, random_state: Any = None) -> Any:
        """Draw ``n`` samples, in the same container, columns and dtypes as the training data.

        Args:
            n: number of samples.
            condition: for class-conditional models, one label or ``n`` labels; None draws
                the class from its training frequency.
            random_state: int, None or ``np.random.Generator``.
        """
        self._require("sample")
        if not isinstance(n, int | np.integer) or n < 0:
            raise InputError(f"n must be a non-negative integer, got {n!r}")
        rng = np.random.default_rng(random_state)
        codes = self._encode_condition(condition, int(n))
        if self.classes_ is not None and codes is None:
            codes = rng.choice(len(self.classes_), size=n, p=np.exp(self.class_log_prior_))
        return self.schema_.decode(self._sample(int(n), codes, rng))

    # ============================================================== impute
    def impute(
        self,
        X: Any,
        n_imputations: int = 1,
        *,
        condition: Any = None,
        method: str = "sample",
        random_state: Any = None,
    ) -> Any:
        """Fill the missing entries of ``X`` from the model's conditional p(x_m | x_o).

        Observed entries come back bit-identical; container, columns and dtypes are kept.

        Args:
            X: data with NaN/None for missing entries.
            n_imputations: 1 returns one completed X; M > 1 returns a list of M completed
                datasets, each an independent draw (proper multiple imputation).
            method: ``"sample"`` (a draw from p(x_m | x_o)) or ``"mean"`` (its mean, one
                imputation; categorical entries get their most probable category). The mean
                of an integer column is kept off the grid where the container holds floats
                (arrays, float DataFrame columns): rounding it would add squared error.
            random_state: int, None or ``np.random.Generator``.
        """
        self._require("impute")
        check_impute_request(n_imputations, method)
        A = self._encode(X)
        codes = self._encode_condition(condition, len(A))
        rng = np.random.default_rng(random_state)
        out = []
        for _ in range(n_imputations):
            filled = self._impute(A, codes, rng, method) if np.isnan(A).any() else A
            out.append(self._restore_observed(X, A, filled, exact=method == "mean"))
        return out[0] if n_imputations == 1 else out

    def _restore_observed(
        self, X: Any, A: np.ndarray, filled: np.ndarray, exact: bool = False
    ) -> Any:
        """Decode ``filled`` but keep every observed entry of the user's ``X`` untouched.

        With ``exact``, integer columns keep ``filled``'s values (clipped to the grid's range,
        not rounded) wherever the user's container holds floats.
        """
        decoded = self.schema_.decode(filled)
        missing = np.isnan(A)
        integer = [c.kind == "integer" for c in self.schema_.columns]
        if isinstance(X, pd.DataFrame):
            out = X.copy()
            for j, name in enumerate(self.schema_.names):
                if not missing[:, j].any():
                    continue
                values = decoded[name]
                if exact and integer[j] and pd.api.types.is_float_dtype(X[name]):
                    values = pd.Series(_clip_to_range(filled[:, j], self.schema_.columns[j]))
                col = out[name].astype(object).where(~missing[:, j], values)
                out[name] = _like(col, X[name], values)
            return out
        values = X.X if isinstance(X, Dataset) else X
        out = np.asarray(values, dtype=np.float64).reshape(A.shape).copy()
        rounded = np.asarray(decoded, dtype=np.float64).reshape(A.shape)  # integers on the grid
        if exact:  # a conditional mean lies between grid points; the float array holds it
            for j in np.flatnonzero(integer):
                rounded[:, j] = _clip_to_range(filled[:, j], self.schema_.columns[j])
        out[missing] = rounded[missing]
        dtype = np.dtype(self.schema_.array_dtype)
        if dtype.kind in "iub" and np.array_equal(out, np.round(out)):
            out = out.astype(dtype)  # the user's integer type, when every value fits it
        return out.reshape(np.shape(decoded))

    # ============================================================= latents
    def encode(self, X: Any) -> np.ndarray:
        """Map data to latent variables (latent-variable families only)."""
        self._require("latent")
        raise CapabilityError(f"{type(self).__name__} declares 'latent' but has no encode()")

    def decode(self, Z: Any) -> Any:
        """Map latent variables back to data (latent-variable families only)."""
        self._require("latent")
        raise CapabilityError(f"{type(self).__name__} declares 'latent' but has no decode()")

    # ========================================================= persistence
    def save(self, path: str | Path) -> Path:
        """Write the fitted model to folder ``path``: ``model.json`` + ``weights.safetensors``.

        Loading (:func:`genlab.load_model`) never unpickles anything.
        """
        from safetensors.numpy import save_file

        from genlab import __version__

        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        arrays, extra = self._get_state()
        if self.class_log_prior_ is not None:
            arrays = {**arrays, "class_log_prior": self.class_log_prior_}
        arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
        weights = path / WEIGHTS_FILE
        save_file(arrays, str(weights))
        config = {
            "format": "genlab-model",
            "format_version": MODEL_FORMAT_VERSION,
            "genlab_version": __version__,
            "family": self.family,
            "params": _json_params(self.get_params(deep=False)),
            "schema": self.schema_.to_dict(),
            "classes": None if self.classes_ is None else [_py(c) for c in self.classes_],
            "state": extra,
            "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
        }
        (path / CONFIG_FILE).write_text(json.dumps(config, indent=2))
        return path

    @classmethod
    def _from_saved(cls, config: dict, arrays: dict[str, np.ndarray]) -> GenerativeModel:
        model = cls(**config["params"])
        model.schema_ = Schema.from_dict(config["schema"])
        model.n_features_in_ = model.schema_.n_columns
        classes = config.get("classes")
        model.classes_ = None if classes is None else np.array(classes)
        model.class_log_prior_ = arrays.pop("class_log_prior", None)
        model._set_state(arrays, config.get("state") or {})
        return model

    # ============================================================== helpers
    def _check_fitted(self) -> None:
        if not hasattr(self, "schema_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit() first")

    def _encode(self, X: Any) -> np.ndarray:
        self._check_fitted()
        if isinstance(X, Dataset):
            X = X.X
        if X is None:
            raise InputError("X is None")
        return self.schema_.encode(X)

    def _encode_condition(self, condition: Any, n: int) -> np.ndarray | None:
        if condition is None:
            return None
        if self.classes_ is None:
            raise InputError(
                f"this {type(self).__name__} was fitted without labels, so it cannot condition; "
                "fit(X, y) with class labels first"
            )
        cond = np.asarray(condition, dtype=object).reshape(-1)
        if len(cond) == 1:
            cond = np.repeat(cond, n)
        if len(cond) != n:
            raise InputError(f"condition has {len(cond)} labels for {n} rows")
        lookup = {_py(c): i for i, c in enumerate(self.classes_)}
        codes = np.empty(n, dtype=np.int64)
        for i, c in enumerate(cond):
            code = lookup.get(_py(c))
            if code is None:
                raise InputError(f"condition row {i}: unknown label {c!r}; known: {list(lookup)}")
            codes[i] = code
        return codes

    def _require(self, *capabilities: str) -> None:
        """Raise CapabilityError unless the family has one of ``capabilities``; then check fit."""
        if not self.capabilities.intersection(capabilities):
            raise CapabilityError(
                f"{type(self).__name__} cannot do {' or '.join(capabilities)}; "
                f"families that can: {_families_with(*capabilities)}"
            )
        self._check_fitted()

    # ============================================================ the hooks
    def _fit(self, A: np.ndarray, codes: np.ndarray | None) -> None:
        raise NotImplementedError

    def _log_prob(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def _sample(self, n: int, codes: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _impute(
        self, A: np.ndarray, codes: np.ndarray | None, rng: np.random.Generator, method: str
    ) -> np.ndarray:
        raise NotImplementedError

    def _get_state(self) -> tuple[dict[str, np.ndarray], dict]:
        raise NotImplementedError

    def _set_state(self, arrays: dict[str, np.ndarray], extra: dict) -> None:
        raise NotImplementedError


# ================================================================ module helpers
def class_groups(codes: np.ndarray | None, n: int) -> list[tuple[int | None, np.ndarray]]:
    """Row positions grouped by class code; a single group ``(None, all rows)`` without codes."""
    if codes is None:
        return [(None, np.arange(n))]
    return [(int(c), np.flatnonzero(codes == c)) for c in np.unique(codes)]


def _encode_labels(labels: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels.to_numpy() if hasattr(labels, "to_numpy") else labels).reshape(-1)
    if len(y) != n:
        raise InputError(f"y has {len(y)} labels for {n} rows")
    if pd.isna(pd.Series(y)).any():
        raise InputError(f"y has a missing label at row {int(np.argmax(pd.isna(pd.Series(y))))}")
    classes, codes = np.unique(y, return_inverse=True)
    return classes, codes.astype(np.int64)


def _families_with(*attributes: str) -> list[str]:
    from genlab.models import FAMILIES

    return sorted(
        name
        for name, cls in FAMILIES.items()
        if cls.capabilities.intersection(attributes)
        or any(getattr(cls, a, False) is True for a in attributes)
    )


def _clip_to_range(values: np.ndarray, column: Any) -> np.ndarray:
    """An integer column's values clipped to its grid's range, not rounded."""
    low, high = column.levels
    return np.clip(values, low, high)


def _like(col: pd.Series, original: pd.Series, decoded: pd.Series) -> pd.Series:
    """Give a filled column the user's dtype, or the decoded one if the user's held NaN only."""
    for dtype in (original.dtype, decoded.dtype):
        try:
            return col.astype(dtype)
        except (TypeError, ValueError):
            continue
    return col


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _json_params(params: dict) -> dict:
    out = {}
    for k, v in params.items():
        if isinstance(v, np.ndarray):
            v = v.tolist()
        try:
            json.dumps(v)
        except TypeError:
            raise InputError(f"parameter {k}={v!r} cannot be saved (not JSON)") from None
        out[k] = _py(v)
    return out


def check_not_a_class(model: Any, what: str = "model") -> None:
    """InputError for a model class given where an instance goes (``KDE`` for ``KDE()``):
    scikit-learn's clone would fail later with a message that names no genlab argument."""
    if isinstance(model, type):
        raise InputError(
            f"{what} must be a model instance such as {model.__name__}(), not the class"
        )


def check_impute_request(n_imputations: Any, method: Any) -> None:
    """InputError unless ``method`` is ``"sample"`` or ``"mean"`` and ``n_imputations`` a
    positive integer (1 for ``"mean"``): the checks every imputer makes first."""
    if method not in ("sample", "mean"):
        raise InputError(f"method must be 'sample' or 'mean', got {method!r}")
    if not isinstance(n_imputations, int | np.integer) or n_imputations < 1:
        raise InputError(f"n_imputations must be a positive integer, got {n_imputations!r}")
    if method == "mean" and n_imputations > 1:
        raise InputError("method='mean' gives one imputation; use method='sample' for M > 1")
