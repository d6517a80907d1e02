"""The interface every model family implements.

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

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator

from genlab.core.checks import check_count, check_impute_request, check_value_range
from genlab.core.condition import ClassLabels, Condition, ImageContext, training_labels
from genlab.core.errors import CapabilityError, InputError, NotFittedError
from genlab.core.persistence import save_model
from genlab.core.registry import families_with, register
from genlab.core.units import bits_per_dim
from genlab.data.datasets import Dataset
from genlab.data.observed import restore_observed
from genlab.data.schema import Schema, infer_schema
from genlab.nn.interpolation import latent_path

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
    #: Saved-state entries that record training, not the model (see ``model_digest``).
    training_records: ClassVar[frozenset[str]] = frozenset()
    #: Hyperparameters added after files were made with the family, and their defaults: at
    #: that default a setting leaves ``model_digest`` as it was before it existed, so those
    #: files still decode.
    digest_skips_defaults: ClassVar[dict[str, Any]] = {}
    #: The kinds of :class:`~genlab.Condition` the family takes once fitted with them.
    condition_kinds: ClassVar[frozenset[str]] = frozenset({"class"})
    #: What the family models: ``"table"`` (rows of a Schema: tables and images) or ``"text"``.
    modality: ClassVar[str] = "table"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        register(cls)  # a family with its own ``family`` name joins genlab.FAMILIES

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
        labels = training_labels(y, condition, self.condition_kinds, type(self).__name__)
        codes = None
        self.classes_ = None
        self.class_log_prior_ = None
        self.condition_shape_ = None
        given = condition if condition is not None else y
        if isinstance(given, Condition) and given.kind == "image":
            context, codes = ImageContext.fit(given, len(A))
            self.condition_shape_ = context.shape
        elif labels is not None:
            fitted, codes = ClassLabels.fit(labels, len(A))
            self.classes_, self.class_log_prior_ = fitted.classes, fitted.log_prior
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
        check_value_range(A, schema.names, schema.column_groups().numeric)
        missing = np.isnan(A)
        empty = missing.all(axis=0)
        if empty.any():
            raise InputError(f"column {schema.names[int(np.argmax(empty))]!r} is entirely missing")
        if missing.any() and not self.fits_missing:
            r, c = np.argwhere(missing)[0]
            raise InputError(
                f"X has a missing value at row {r}, column {schema.names[c]!r}; "
                f"{type(self).__name__} cannot fit with missing values. "
                f"Use one of {families_with('fits_missing')} or impute first."
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
        return float(bits_per_dim(np.mean(self.log_prob(X, condition)), self.n_features_in_))

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
        n = check_count("n", n)
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
        """``filled`` decoded into the user's container, every observed entry of ``X`` kept."""
        return restore_observed(self.schema_, X, A, filled, exact=exact)

    # ============================================================= latents
    def encode(self, X: Any) -> np.ndarray:
        """Map data to latent variables (latent-variable families only)."""
        self._require("latent")
        raise CapabilityError(f"{type(self).__name__} declares 'latent' but has no encode()")

    def decode(self, Z: Any) -> Any:
        """Map latent variables back to data (latent-variable families only)."""
        self._require("latent")
        raise CapabilityError(f"{type(self).__name__} declares 'latent' but has no decode()")

    def interpolate(
        self, x0: Any, x1: Any, steps: int = 8, *, method: str = "slerp", condition: Any = None
    ) -> Any:
        """Decode ``steps`` points on the latent path between two examples (ends included).

        Args:
            x0, x1: one example each (a row, an image, or a one-row DataFrame).
            steps: number of points, ends included (>= 2).
            method: ``"slerp"`` (great circle, suits Gaussian latents) or ``"lerp"``.
            condition: one class label, for a class-conditional model.

        Returns:
            ``steps`` examples in the training container (first ≈ x0, last ≈ x1).
        """
        from genlab.data.datasets import pair_of_examples

        self._require("latent")
        pair = pair_of_examples(x0, x1, tuple(self.schema_.image_shape or (self.n_features_in_,)))
        ends = self.encode(pair) if condition is None else self.encode(pair, condition=condition)
        path = latent_path(ends[0], ends[1], steps, method)  # (steps, d)
        return self.decode(path) if condition is None else self.decode(path, condition=condition)

    # ========================================================= persistence
    def save(self, path: str | Path) -> Path:
        """Write the fitted model to folder ``path``: ``model.json`` + ``weights.safetensors``.

        Loading (:func:`genlab.load_model`) never unpickles anything.
        """
        self._check_fitted()
        return save_model(self, path)

    @classmethod
    def _from_saved(cls, config: dict, arrays: dict[str, np.ndarray]) -> GenerativeModel:
        model = cls(**config["params"])
        model.schema_ = Schema.from_dict(config["schema"])
        model.n_features_in_ = model.schema_.n_columns
        classes = config.get("classes")
        model.classes_ = None if classes is None else np.array(classes)
        shape = config.get("condition_shape")
        model.condition_shape_ = None if shape is None else tuple(int(k) for k in shape)
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
        """Class codes ``(n,)`` of ``condition`` (a label, n labels or a Condition), images
        ``(n, *condition_shape_)`` for a model fitted on image conditions, or None."""
        if condition is None:
            return None
        shape = getattr(self, "condition_shape_", None)
        if shape is not None:
            return ImageContext(shape).values(condition, n)
        condition = Condition.of(condition)
        if self.classes_ is None:
            raise InputError(
                f"this {type(self).__name__} was fitted without labels, so it cannot condition; "
                "fit(X, y) with class labels first"
            )
        return ClassLabels(self.classes_, self.class_log_prior_).codes(condition, n)

    def _set_column_groups(self) -> None:
        """Fitted masks of the schema's columns: ``numeric_`` (continuous and integer),
        ``categorical_``, ``dequantized_`` (integer among numeric) and ``n_categories_``."""
        groups = self.schema_.column_groups()
        self.numeric_, self.categorical_ = groups.numeric, ~groups.numeric
        self.dequantized_ = groups.integer_in_numeric
        self.n_categories_ = groups.n_categories

    def _require(self, *capabilities: str) -> None:
        """Raise CapabilityError unless the family has one of ``capabilities``; then check fit."""
        if not self.capabilities.intersection(capabilities):
            raise CapabilityError(
                f"{type(self).__name__} cannot do {' or '.join(capabilities)}; "
                f"families that can: {families_with(*capabilities)}"
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

    @classmethod
    def _state_columns(cls, config: dict, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        """What the saved state (``config["state"]``, ``arrays``) pins about the columns it
        was fitted on, read from the state alone: see :mod:`genlab.core.state_columns`."""
        raise NotImplementedError


# ================================================================ module helpers
def class_groups(codes: np.ndarray | None, n: int) -> list[tuple[int | None, np.ndarray]]:
    """Row positions grouped by class code; a single group ``(None, all rows)`` without codes."""
    if codes is None:
        return [(None, np.arange(n))]
    return [(int(c), np.flatnonzero(codes == c)) for c in np.unique(codes)]
