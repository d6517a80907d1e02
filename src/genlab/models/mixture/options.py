"""The options of one EM fit (:func:`genlab.models.mixture.em.fit_em`) and their checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genlab.core.errors import InputError

COVARIANCE_TYPES = ("full", "diag")
INITS = ("kmeans", "k-means++", "random")


@dataclass(frozen=True)
class Options:
    """The EM options of one ``fit_em`` call."""

    covariance_type: str
    reg_covar: float
    max_iter: int
    tol: float
    init: str
    cat_pseudocount: float
    prior: float | str = 0.0  # w: w·(d + 2) pseudo-rows per component, or "mclust"; 0: ML
    n_factors: int | None = None  # q: covariances W Wᵀ + σ² I, rank(W) = q; None: unconstrained


def check_options(opts: Options, n_components: int, n_init: int, n_rows: int) -> None:
    """Raises InputError naming the first invalid option of a fit of ``n_rows`` rows."""
    if opts.covariance_type not in COVARIANCE_TYPES:
        raise InputError(f"covariance_type must be one of {COVARIANCE_TYPES}")
    q = opts.n_factors
    if q is not None:
        if isinstance(q, bool) or not isinstance(q, int | np.integer) or q < 1:
            raise InputError(f"n_factors must be a positive integer or None, got {q!r}")
        if opts.covariance_type != "full":
            raise InputError("n_factors restricts full covariances: use covariance_type='full'")
    if opts.init not in INITS:
        raise InputError(f"init must be one of {INITS}, got {opts.init!r}")
    if not 1 <= n_components <= n_rows:
        raise InputError(f"n_components must be in 1..{n_rows} (rows), got {n_components}")
    if opts.max_iter < 1 or n_init < 1:
        raise InputError("max_iter and n_init must be at least 1")
    if opts.reg_covar < 0 or opts.tol < 0 or opts.cat_pseudocount < 0:
        raise InputError("reg_covar, tol and cat_pseudocount must be non-negative")
    if opts.prior != "mclust" and not (
        isinstance(opts.prior, float) and np.isfinite(opts.prior) and opts.prior >= 0
    ):
        raise InputError(
            f"prior must be a bool, a non-negative number or 'mclust', got {opts.prior!r}"
        )


def prior_factor(prior: bool | float | str) -> float | str:
    """``prior`` as the multiplier ``w`` of the prior's pseudo-rows (0 for none), or "mclust"."""
    if isinstance(prior, str):
        return prior
    try:
        return float(prior)
    except (TypeError, ValueError):
        return prior  # rejected by check_options
