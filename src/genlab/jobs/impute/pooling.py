"""Rubin's rules: pool the estimates of one analysis run on each of ``M`` imputations.

Multiple imputation carries the uncertainty of the missing values into any analysis: run the
analysis on each of the ``M`` completed datasets, then :func:`pool` the ``M`` estimates and
their variances (total variance ``T = U + (1 + 1/M) B``, Student-t degrees of freedom,
optionally the Barnard--Rubin small-sample version).

References:
    Rubin, D. B. (1987). Multiple Imputation for Nonresponse in Surveys. Wiley.
    Barnard, J. & Rubin, D. B. (1999). Small-sample degrees of freedom with multiple
    imputation. Biometrika 86, 948-955.
    van Buuren, S. (2018). Flexible Imputation of Missing Data, 2nd ed., section 2.3.

Example:
    >>> p = pool([10.0, 12.0, 11.0, 13.0], [1.0, 2.0, 1.5, 1.5])
    >>> p.estimate, p.within_variance, p.n_imputations
    (11.5, 1.5, 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from genlab.core.errors import InputError

__all__ = ["PooledEstimate", "check_level", "pool"]


@dataclass(frozen=True)
class PooledEstimate:
    """An estimate pooled over ``M`` imputations by Rubin's rules (arrays for vector estimates).

    Attributes:
        estimate: ``Q̄``, the mean of the ``M`` estimates.
        within_variance: ``Ū``, the mean of the ``M`` complete-data variances.
        between_variance: ``B``, the variance of the ``M`` estimates (``ddof=1``).
        total_variance: ``T = Ū + (1 + 1/M) B``.
        df: degrees of freedom of the Student-t reference distribution (``inf`` when the
            imputations agree and no complete-data df was given).
        n_imputations: ``M``.
        level: the confidence level of :attr:`ci`.
    """

    estimate: Any
    within_variance: Any
    between_variance: Any
    total_variance: Any
    df: Any
    n_imputations: int
    level: float = 0.95

    @property
    def std_error(self) -> Any:
        """``sqrt(T)``."""
        return np.sqrt(self.total_variance)

    @property
    def relative_increase(self) -> Any:
        """``r = (1 + 1/M) B / Ū``: the relative increase in variance due to missing data."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return (1 + 1 / self.n_imputations) * self.between_variance / self.within_variance

    @property
    def missing_information(self) -> Any:
        """Fraction of missing information ``(r + 2 / (df + 3)) / (r + 1)`` (van Buuren 2.24)."""
        r = self.relative_increase
        return (r + 2 / (self.df + 3)) / (r + 1)

    @property
    def ci(self) -> tuple[Any, Any]:
        """The confidence interval at :attr:`level`."""
        return self.confidence_interval(self.level)

    def confidence_interval(self, level: float | None = None) -> tuple[Any, Any]:
        """``Q̄ ± t_{df, (1 + level) / 2} sqrt(T)``.

        Example:
            >>> p = pool([1.0, 1.2, 0.8], [0.01, 0.01, 0.01])
            >>> [round(float(v), 3) for v in p.confidence_interval(0.95)]
            [0.169, 1.831]
        """
        level = check_level(self.level if level is None else level)
        half = stats.t.ppf((1 + level) / 2, self.df) * self.std_error
        return self.estimate - half, self.estimate + half

    def p_value(self, null: float = 0.0) -> Any:
        """Two-sided p-value of ``estimate == null`` under the pooled t distribution."""
        t = (self.estimate - null) / self.std_error
        return 2 * stats.t.sf(np.abs(t), self.df)


def pool(
    estimates: Sequence[Any] | np.ndarray,
    variances: Sequence[Any] | np.ndarray,
    *,
    complete_df: float | None = None,
    level: float = 0.95,
) -> PooledEstimate:
    """Pool ``M`` complete-data estimates and their variances by Rubin's rules.

    With ``λ = (1 + 1/M) B / T`` the share of the total variance due to the missing data,
    the degrees of freedom are Rubin's ``ν = (M - 1) / λ²``; given ``complete_df`` (the df the
    analysis would have without missing data, e.g. ``n - k`` for a regression with ``k``
    coefficients) they are Barnard & Rubin's ``ν_old ν_obs / (ν_old + ν_obs)`` with
    ``ν_obs = (ν_com + 1) / (ν_com + 3) ν_com (1 - λ)``, which never exceeds ``ν_com``.

    Args:
        estimates: ``(M,)`` scalar estimates or ``(M, P)`` vectors, one per imputation.
        variances: the squared standard errors, same shape (pooling is elementwise).
        complete_df: complete-data degrees of freedom, for the Barnard--Rubin df.
        level: confidence level of the :attr:`PooledEstimate.ci`.

    Returns:
        A :class:`PooledEstimate` (scalar fields for scalar estimates).

    Example:
        >>> p = pool([1.0, 1.2, 0.8], [0.01, 0.01, 0.01])
        >>> round(float(p.estimate), 3), round(float(p.total_variance), 4), round(float(p.df), 2)
        (1.0, 0.0633, 2.82)
        >>> round(float(pool([1.0, 1.2, 0.8], [0.01] * 3, complete_df=10).df), 2)
        0.91
    """
    Q = np.asarray(estimates, dtype=np.float64)
    U = np.asarray(variances, dtype=np.float64)
    if Q.ndim not in (1, 2) or Q.shape != U.shape:
        raise InputError(
            f"estimates and variances must both be (M,) or (M, P); got {Q.shape} and {U.shape}"
        )
    m = len(Q)
    if m < 2:
        raise InputError(f"pooling needs at least 2 imputations, got {m}")
    if not (np.isfinite(Q).all() and np.isfinite(U).all() and (U >= 0).all()):
        raise InputError("estimates must be finite and variances finite and non-negative")
    if complete_df is not None and not complete_df > 0:
        raise InputError(f"complete_df must be positive, got {complete_df!r}")
    level = check_level(level)
    q_bar, u_bar = Q.mean(axis=0), U.mean(axis=0)
    b = Q.var(axis=0, ddof=1)
    t = u_bar + (1 + 1 / m) * b
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(t > 0, (1 + 1 / m) * b / t, 0.0)
        df = np.where(lam > 0, (m - 1) / lam**2, np.inf)  # Rubin (1987)
        if complete_df is not None:
            df_obs = (complete_df + 1) / (complete_df + 3) * complete_df * (1 - lam)
            df = np.where(np.isinf(df), df_obs, df * df_obs / (df + df_obs))
    scalar = Q.ndim == 1

    def out(v: np.ndarray) -> Any:
        return float(v) if scalar else v

    return PooledEstimate(out(q_bar), out(u_bar), out(b), out(t), out(df), m, level)


def check_level(level: float) -> float:
    """``level`` as a float, if it is a number in (0, 1) (InputError otherwise)."""
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise InputError(f"level must be a number in (0, 1), got {level!r}")
    return float(level)
