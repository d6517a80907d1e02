"""Generative classifiers: class-conditional densities and Bayes' rule.

:class:`GenerativeClassifier` fits ``p(x | c)`` with any genlab family and predicts

    ``p(c | x) = p(c) p(x | c) / sum_k p(k) p(x | k)``

with the class priors ``p(c)`` of the training labels (or given ones). A family that can
condition on a class (``"conditional"`` in its capabilities) is fitted once with the labels,
which lets a neural family share one network across classes; any other family with a
likelihood is fitted once per class. It is a scikit-learn classifier: ``clone``, ``Pipeline``,
``GridSearchCV`` and ``cross_val_score`` work, and the family's hyperparameters are the
classifier's own (``GenerativeClassifier("kde", bandwidth=2.0).set_params(bandwidth=3.0)``).

The probabilities are those of the densities, which are sharp in high dimension (a difference
of a few nats per pixel is a factor of ``e^100`` per image): they rank well but are
overconfident; ``sklearn.calibration.CalibratedClassifierCV`` recalibrates them.

References:
    Ng, A. & Jordan, M. (2001). On discriminative vs. generative classifiers. NeurIPS.

Example:
    >>> import genlab
    >>> ds = genlab.load_dataset("iris")
    >>> clf = genlab.GenerativeClassifier("gmm", n_components=1).fit(ds.X, ds.y)
    >>> clf.predict_proba(ds.X.head(2)).shape, float(clf.score(ds.X, ds.y)) > 0.95
    ((2, 3), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin

from genlab.core.errors import CapabilityError, InputError, NotFittedError
from genlab.core.registry import family_class, family_params
from genlab.data.rows import take_rows

_OWN_PARAMS = ("family", "priors")


class GenerativeClassifier(ClassifierMixin, BaseEstimator):
    """Bayes' rule over class-conditional densities of one genlab family (module docstring).

    Args:
        family: a name in ``genlab.FAMILIES`` (``"kde"``, ``"gmm"``, ``"autoregressive"``, ...).
        priors: ``None`` (class frequencies of the training labels), ``"uniform"``, or one
            probability per class in the order of ``classes_`` (sorted labels).
        **params: hyperparameters of the family, e.g. ``bandwidth=2.0`` for ``"kde"``.

    Attributes:
        classes_: the sorted class labels.
        class_log_prior_: ``log p(c)`` used by Bayes' rule, shape ``(C,)``.
        model_: the fitted class-conditional model, or ``models_`` (one per class) for a
            family that cannot condition.
    """

    def __init__(self, family: str = "kde", *, priors: Any = None, **params: Any) -> None:
        self.family = family
        self.priors = priors
        for name, value in params.items():
            setattr(self, name, value)
        self._family_param_names = tuple(params)

    # ----------------------------------------------------- scikit-learn params
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The classifier's parameters: ``family``, ``priors`` and the family's ones given."""
        own = {name: getattr(self, name) for name in _OWN_PARAMS}
        return own | {name: getattr(self, name) for name in self._family_param_names}

    def set_params(self, **params: Any) -> GenerativeClassifier:
        """Set ``family``, ``priors`` or any hyperparameter of the family (checked here)."""
        if "family" in params:
            self.family = params.pop("family")
        family = {k: v for k, v in params.items() if k not in _OWN_PARAMS}
        family_params(self._family_class(), family)  # InputError naming any unknown one
        for name, value in params.items():
            setattr(self, name, value)
            if name not in _OWN_PARAMS and name not in self._family_param_names:
                self._family_param_names += (name,)
        return self

    def _family_class(self) -> type:
        cls = family_class(self.family)
        if not {"exact_likelihood", "likelihood_bound"} & cls.capabilities:
            raise CapabilityError(f"family {self.family!r} has no likelihood to classify with")
        return cls

    def _new_model(self) -> Any:
        cls = self._family_class()
        params = {name: getattr(self, name) for name in self._family_param_names}
        return cls(**family_params(cls, params))

    # ===================================================================== fit
    def fit(self, X: Any, y: Any) -> GenerativeClassifier:
        """Fit ``p(x | c)`` for every class of ``y`` and set the class priors."""
        if y is None:
            raise InputError("GenerativeClassifier.fit needs class labels y")
        y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y).reshape(-1)
        classes = np.unique(y)
        if len(classes) < 2:
            raise InputError(f"y has {len(classes)} class; a classifier needs at least 2")
        counts = np.array([np.sum(y == c) for c in classes])
        log_prior = self._log_priors(counts, classes)  # checked before a long fit
        model = self._new_model()
        if "conditional" in model.capabilities:
            self.model_, self.models_ = model.fit(X, y), None
            self.classes_, self.n_features_in_ = model.classes_, model.n_features_in_
        else:  # one density per class
            self.models_ = [self._new_model().fit(take_rows(X, y == c)) for c in classes]
            self.model_, self.classes_ = None, classes
            self.n_features_in_ = self.models_[0].n_features_in_
        self.class_log_prior_ = log_prior
        return self

    def _log_priors(self, counts: np.ndarray, classes: np.ndarray) -> np.ndarray:
        if self.priors is None:
            return np.log(counts / counts.sum())
        if isinstance(self.priors, str):
            if self.priors != "uniform":
                raise InputError(
                    f"priors must be None, 'uniform' or probabilities, got {self.priors!r}"
                )
            return np.full(len(counts), -np.log(len(counts)))
        p = np.asarray(self.priors, dtype=np.float64).reshape(-1)
        if len(p) != len(counts) or (p < 0).any() or not np.isclose(p.sum(), 1.0):
            raise InputError(
                f"priors must be {len(counts)} non-negative probabilities summing to 1 "
                f"(one per class of {classes.tolist()}), got {self.priors!r}"
            )
        with np.errstate(divide="ignore"):
            return np.log(p)

    # ================================================================= predict
    def log_likelihood_per_class(self, X: Any) -> np.ndarray:
        """``log p(x | c)`` in nats, shape ``(N, C)`` (a bound for bound families)."""
        if not hasattr(self, "class_log_prior_"):
            raise NotFittedError("this GenerativeClassifier is not fitted yet; call fit() first")
        if self.model_ is not None:
            return self.model_.log_prob_per_class(X)
        return np.stack([m.log_prob(X) for m in self.models_], axis=1)

    def predict_joint_log_proba(self, X: Any) -> np.ndarray:
        """``log p(x, c) = log p(c) + log p(x | c)``, shape ``(N, C)``."""
        return self.log_likelihood_per_class(X) + self.class_log_prior_

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log p(c | x)`` by Bayes' rule, shape ``(N, C)``."""
        joint = self.predict_joint_log_proba(X)  # (N, C)
        return joint - logsumexp(joint, axis=1, keepdims=True)

    def predict_proba(self, X: Any) -> np.ndarray:
        """``p(c | x)`` by Bayes' rule, shape ``(N, C)``; columns in the order of ``classes_``."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class of highest posterior probability for each row."""
        joint = self.predict_joint_log_proba(X)  # (N, C)
        return self.classes_[np.argmax(joint, axis=1)]
