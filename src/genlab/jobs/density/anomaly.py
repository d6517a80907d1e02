"""Anomaly detection with a density: flag what the model finds improbable.

:class:`AnomalyDetector` wraps any genlab model that gives ``log_prob`` (exact or a stated
bound). The anomaly score of ``x`` is its negative log-density, in bits per dimension for
images (so scores of 8x8 and 28x28 images read on the same scale) and in nats otherwise.
Higher scores are more anomalous.

The threshold is the part users find confusing in other libraries, so there are two explicit
rules, and the fitted detector says which one it used (``threshold_rule_``):

* ``false_positive_rate=alpha`` (the default, ``alpha=0.05``): the data given to ``fit`` is
  taken to be normal. A share ``calibration_fraction`` of it is held out, the density is fitted
  on the rest, and the threshold is the ``ceil((n + 1) (1 - alpha))``-th smallest score of the
  ``n`` held-out rows (split conformal). A new normal example, exchangeable with the training
  data, is then flagged with probability at most ``alpha``: the guarantee holds whatever the
  model, because the held-out rows were not used to fit it.
* ``contamination=q``: the data given to ``fit`` is taken to contain a share ``q`` of
  anomalies (scikit-learn's and PyOD's meaning). The density is fitted on all of it and the
  threshold is the ``1 - q`` quantile of the training scores, so that a share ``q`` of the
  training rows is flagged. No false-positive rate is promised: training scores are optimistic.

References:
    Vovk, V., Gammerman, A. & Shafer, G. (2005). Algorithmic Learning in a Random World
    (split conformal prediction).
    Nalisnick, E. et al. (2019). Do deep generative models know what they don't know? ICLR
    (why the raw likelihood of a flexible image model can rank simple outliers as normal).

Example:
    >>> import numpy as np, genlab
    >>> X = np.random.default_rng(0).normal(size=(400, 2))
    >>> det = genlab.AnomalyDetector(genlab.KDE(), false_positive_rate=0.05).fit(X)
    >>> det.predict([[0.0, 0.0], [6.0, 6.0]]).tolist()
    [1, -1]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin, clone

from genlab.core.checks import check_not_a_class
from genlab.core.errors import CapabilityError, InputError, NotFittedError
from genlab.core.units import bits_per_dim
from genlab.data.rows import as_rows, take_rows

_UNITS = ("auto", "nats", "bits_per_dim")


class AnomalyDetector(OutlierMixin, BaseEstimator):
    """A density-based anomaly detector with a stated threshold rule (module docstring).

    Args:
        model: an unfitted genlab model with a likelihood (``log_prob``), or a scikit-learn
            search over one (``GridSearchCV(genlab.KDE(), {"bandwidth": [...]})``, which
            ranks by held-out log-likelihood): its ``best_estimator_`` is the density. ``fit``
            clones it and fits it on the rows it fits the density on.
        contamination: share of anomalies assumed in the training data, in (0, 0.5]; the
            threshold then flags that share of the training rows. Give this or
            ``false_positive_rate``, not both.
        false_positive_rate: target rate of flagging normal data, in (0, 1); the threshold is
            the split-conformal quantile of held-out normal scores. Used (with 0.05) when
            neither is given.
        calibration_fraction: share of the training rows held out to set the threshold under
            ``false_positive_rate`` (at least ``1 / alpha - 1`` rows are needed).
        units: ``"auto"`` (bits per dimension for images, nats otherwise), ``"nats"`` or
            ``"bits_per_dim"``.
        random_state: seed of the calibration split.

    Attributes:
        model_: the fitted density.
        threshold_: scores above it are anomalies.
        threshold_rule_: the rule in words, e.g. ``"false_positive_rate=0.05: 12th smallest
            of 230 held-out normal scores"``.
        calibration_scores_: the scores the threshold was read from.
    """

    def __init__(
        self,
        model: Any = None,
        *,
        contamination: float | None = None,
        false_positive_rate: float | None = None,
        calibration_fraction: float = 0.2,
        units: str = "auto",
        random_state: int | None = 0,
    ) -> None:
        self.model = model
        self.contamination = contamination
        self.false_positive_rate = false_positive_rate
        self.calibration_fraction = calibration_fraction
        self.units = units
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> AnomalyDetector:
        """Fit the density on ``X`` (or part of it) and set the threshold; ``y`` is ignored."""
        rule, level = self._check_params()
        X = as_rows(X)
        if rule == "contamination":
            self.model_ = self._fit_density(X)
            scores = self.score_samples(X)
            self.threshold_ = float(np.quantile(scores, 1 - level))
            self.threshold_rule_ = (
                f"contamination={level:g}: the {1 - level:.3g} quantile of the scores of the "
                f"{len(scores)} training rows"
            )
        else:
            fit_rows, held_rows = self._calibration_split(len(X), level)
            self.model_ = self._fit_density(take_rows(X, fit_rows))
            scores = self.score_samples(take_rows(X, held_rows))
            self.threshold_, rank = conformal_threshold(scores, level)
            self.threshold_rule_ = (
                f"false_positive_rate={level:g}: the {_ordinal(rank)} smallest of "
                f"{len(scores)} held-out normal scores (split conformal)"
            )
        self.calibration_scores_ = scores
        return self

    def score_samples(self, X: Any) -> np.ndarray:
        """Anomaly score of each row, shape ``(N,)``: ``-log p(x)`` (higher = more anomalous).

        Bits per dimension for images (``units="auto"``), nats otherwise. For a model whose
        likelihood is a bound (``model_.likelihood_is_bound``) the score is the bound's.
        """
        model = self._fitted_model()
        log_prob = model.log_prob(X)  # (N,) nats
        if self._units(model) == "bits_per_dim":
            return bits_per_dim(log_prob, model.n_features_in_)
        return -log_prob

    def decision_function(self, X: Any) -> np.ndarray:
        """``threshold_ - score``: negative for anomalies (scikit-learn's sign convention)."""
        self._fitted_model()
        return self.threshold_ - self.score_samples(X)

    def predict(self, X: Any) -> np.ndarray:
        """``-1`` for anomalies (score above ``threshold_``), ``1`` for normal rows."""
        return np.where(self.decision_function(X) < 0, -1, 1)

    # ------------------------------------------------------------- helpers
    def _fit_density(self, X: Any) -> Any:
        fitted = clone(self.model).fit(X)
        return getattr(fitted, "best_estimator_", fitted)  # a search gives its best model

    def _check_params(self) -> tuple[str, float]:
        check_not_a_class(self.model)
        model = getattr(self.model, "estimator", self.model)  # the model a search tunes
        if model is None or not hasattr(model, "log_prob"):
            raise InputError(f"model must be a genlab model with log_prob, got {model!r}")
        if not {"exact_likelihood", "likelihood_bound"} & set(getattr(model, "capabilities", ())):
            raise CapabilityError(
                f"{type(model).__name__} has no likelihood, so it cannot score anomalies; "
                "use a family with exact_likelihood or likelihood_bound"
            )
        if self.units not in _UNITS:
            raise InputError(f"units must be one of {_UNITS}, got {self.units!r}")
        if self.contamination is not None and self.false_positive_rate is not None:
            raise InputError(
                "give contamination (share of anomalies in the training data) or "
                "false_positive_rate (data assumed normal), not both"
            )
        if self.contamination is not None:
            if not 0 < self.contamination <= 0.5:
                raise InputError(f"contamination must be in (0, 0.5], got {self.contamination}")
            return "contamination", float(self.contamination)
        alpha = 0.05 if self.false_positive_rate is None else self.false_positive_rate
        if not 0 < alpha < 1:
            raise InputError(f"false_positive_rate must be in (0, 1), got {alpha}")
        if not 0 < self.calibration_fraction < 1:
            raise InputError(
                f"calibration_fraction must be in (0, 1), got {self.calibration_fraction}"
            )
        return "false_positive_rate", float(alpha)

    def _calibration_split(self, n: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
        n_held = round(self.calibration_fraction * n)
        needed = math.ceil(1 / alpha) - 1  # fewer held-out rows cannot reach rate alpha
        if n_held < needed or n - n_held < 2:
            raise InputError(
                f"false_positive_rate={alpha:g} needs at least {needed} held-out rows; "
                f"calibration_fraction={self.calibration_fraction} of {n} rows gives {n_held}. "
                "Give more data, a larger calibration_fraction or a larger rate."
            )
        order = np.random.default_rng(self.random_state).permutation(n)
        return np.sort(order[n_held:]), np.sort(order[:n_held])

    def _fitted_model(self) -> Any:
        if not hasattr(self, "model_"):
            raise NotFittedError("this AnomalyDetector is not fitted yet; call fit() first")
        return self.model_

    def _units(self, model: Any) -> str:
        if self.units != "auto":
            return self.units
        return "bits_per_dim" if model.schema_.container == "image" else "nats"


def conformal_threshold(scores: np.ndarray, alpha: float) -> tuple[float, int]:
    """The split-conformal threshold of held-out normal ``scores`` for false-positive rate
    ``alpha``, and its rank ``k = ceil((n + 1)(1 - alpha))`` (1-based).

    A new score exchangeable with ``scores`` exceeds the ``k``-th smallest with probability
    at most ``alpha`` (exactly ``1 - k / (n + 1)`` without ties).

    Example:
        >>> conformal_threshold(np.arange(1.0, 20.0), 0.1)
        (18.0, 18)
    """
    n = len(scores)
    rank = math.ceil((n + 1) * (1 - alpha))
    if rank > n:
        raise InputError(f"{n} calibration scores cannot give false_positive_rate={alpha:g}")
    return float(np.sort(scores)[rank - 1]), rank


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"
