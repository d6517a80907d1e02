"""Checks every job makes on its arguments before any work, in one place."""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.core.errors import InputError


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
