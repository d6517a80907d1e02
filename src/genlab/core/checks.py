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


def check_count(name: str, value: Any, *, minimum: int = 0) -> int:
    """``value`` as an int if it is a whole count >= ``minimum``, else InputError. A bool is
    not a count (``sample(True)`` would draw one row), nor is 2.5 or -1.

    Example:
        >>> check_count("n", np.int64(3))
        3
        >>> check_count("n", True)
        Traceback (most recent call last):
        ...
        genlab.core.errors.InputError: n must be an integer >= 0, got True
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise InputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_impute_request(n_imputations: Any, method: Any) -> None:
    """InputError unless ``method`` is ``"sample"`` or ``"mean"`` and ``n_imputations`` a
    positive integer (1 for ``"mean"``): the checks every imputer makes first."""
    if method not in ("sample", "mean"):
        raise InputError(f"method must be 'sample' or 'mean', got {method!r}")
    check_count("n_imputations", n_imputations, minimum=1)
    if method == "mean" and n_imputations > 1:
        raise InputError("method='mean' gives one imputation; use method='sample' for M > 1")


#: Largest magnitude of a numeric value a model is fitted on. Fitting squares deviations
#: (variances, distances), and samples add noise to values: beyond this a square overflows
#: to inf and a model would score -inf and sample ±inf, so such data is refused instead.
MAX_MAGNITUDE = 1e150


def check_value_range(
    A: np.ndarray,
    names: list[str],
    numeric: np.ndarray,
    limit: float = MAX_MAGNITUDE,
    why: str = "their squares must be finite",
) -> None:
    """InputError naming the first ``numeric`` column of ``A`` (encoded training data, NaN for
    missing) with a value beyond ``limit`` (default :data:`MAX_MAGNITUDE`: its squares would
    overflow; a family that trains in float32 passes a lower one, and says ``why``).

    Example:
        >>> A = np.array([[1.0, 2e200], [2.0, 3e200]])
        >>> try:
        ...     check_value_range(A, ["age", "mass"], np.array([True, True]))
        ... except InputError as e:
        ...     print(str(e)[:45])
        column 'mass' has a value of magnitude 3e+200
    """
    for j in np.flatnonzero(numeric):
        column = A[:, j]
        big = float(np.nanmax(np.abs(column), initial=0.0))
        if not big <= limit:
            raise InputError(
                f"column {names[j]!r} has a value of magnitude {big:.3g}; genlab models numbers "
                f"up to {limit:.0e} ({why}): rescale the column (e.g. to other units)"
            )


def check_positive_finite(name: str, value: Any, *, allow_none: bool = False) -> None:
    """InputError unless setting ``name`` is a finite number > 0 (or None if ``allow_none``):
    a time budget of 0 or a bandwidth of 1e400 (read as inf) makes no usable model.

    Example:
        >>> check_positive_finite("max_time", float("inf"))
        Traceback (most recent call last):
        ...
        genlab.core.errors.InputError: max_time must be a finite number > 0, got inf
    """
    if value is None and allow_none:
        return
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if not ok or not (np.isfinite(value) and value > 0):
        raise InputError(f"{name} must be a finite number > 0, got {value!r}")
