"""Exact EM for mixtures of Gaussian × categorical components on tables with missing entries.

This is the numerical core of :class:`genlab.GaussianMixture` (pure numpy/scipy, float64).

Why genlab has its own EM: :class:`sklearn.mixture.GaussianMixture` rejects NaN and models
continuous columns only, yet a mixture is the classic model that *can* be fitted to an incomplete,
mixed table and then impute it exactly. Mean-imputing first and fitting sklearn's model shrinks
the variances and correlations; here the missing entries are marginalized exactly, both in
fitting and in every density, so ``log_prob`` of an incomplete row is the exact ``log p(x_o)``.

Model (:mod:`~genlab.models.mixture.params`):
``p(x) = Σ_k π_k · N(x_cont; μ_k, Σ_k) · Π_j Cat(x_cat_j; θ_kj)``. A missing continuous entry is
marginalized by taking the observed sub-block of ``μ_k, Σ_k``
(:mod:`~genlab.models.mixture.conditional`); a missing categorical entry by dropping its factor
(:mod:`~genlab.models.mixture.categorical`). Continuous entries are missing where NaN,
categorical ones where -1.

Fitting: the E-step (:mod:`~genlab.models.mixture.estep`) computes responsibilities from the
observed entries. For full covariances the M-step (:mod:`~genlab.models.mixture.mstep`) is the
EM for incomplete data of Ghahramani & Jordan (1994): missing entries are replaced by
``E[x_m | x_o, k]`` and ``Σ_k`` gets the conditional covariance ``Cov[x_m | x_o, k]`` as a
correction. For diagonal covariances and for categorical columns a component's observed-data
likelihood factorizes over columns, so the M-step maximizes it in closed form from the observed
entries alone (the same fixed points as the imputation form, usually in fewer iterations). With
a prior (:mod:`~genlab.models.mixture.prior`, on by default) the Gaussian parameters are MAP
estimates; the log-likelihood that ``fit_em`` returns, and that BIC uses, is that of the data at
the MAP estimate, as in mclust.

References:
    Ghahramani & Jordan (1994). Supervised learning from incomplete data via an EM approach.
    NIPS 6. https://papers.nips.cc/paper/767
    Tipping & Bishop (1999). Mixtures of probabilistic principal component analyzers. Neural
    Computation 11(2), 443-482 (the ``n_factors`` covariances).
    Fraley & Raftery (2007). Bayesian regularization for normal mixture estimation and
    model-based clustering. Journal of Classification 24, 155-181.
    https://doi.org/10.1007/s00357-007-0004-5
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genlab.core.errors import warn
from genlab.models.mixture.conditional import row_chunks
from genlab.models.mixture.estep import Stats, add_chunk, e_step
from genlab.models.mixture.init import initial_resp
from genlab.models.mixture.mstep import m_step
from genlab.models.mixture.options import Options, check_options, prior_factor
from genlab.models.mixture.params import MixtureParams
from genlab.models.mixture.prior import make_prior
from genlab.models.mixture.table import Table, fit_table


def _fit_once(
    table: Table, K: int, opts: Options, rng: np.random.Generator
) -> tuple[MixtureParams, float, float, bool]:
    """One EM run from one initialization.

    Returns (params, mean log-lik, objective, converged). The objective, which EM increases,
    is the mean log posterior ``(log p(X_o | θ) + log p(θ)) / N`` (the log-lik without a prior).
    """
    full = opts.covariance_type == "full"
    stats = Stats.zeros(K, table.Xc.shape[1], table.n_categories, full)
    prior = make_prior(table, K, opts)
    resp = initial_resp(table, K, opts.init, rng)
    for rows in row_chunks(len(table.Xc), K, table.Xc.shape[1]):
        add_chunk(stats, table, rows, resp[rows], None)
    objective = -np.inf
    for _ in range(opts.max_iter):
        params = m_step(stats, opts, table.col_var, prior)
        loglik, log_prior, stats = e_step(params, table, prior)
        new_objective = loglik + log_prior / len(table.Xc)
        converged = new_objective - objective < opts.tol * max(abs(objective), 1.0)
        objective = new_objective
        if converged:
            return params, loglik, objective, True
    return params, loglik, objective, False


def fit_em(
    Xc: np.ndarray | None,
    Xcat: np.ndarray | None,
    n_categories: Sequence[int] | None,
    n_components: int,
    *,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    max_iter: int = 200,
    tol: float = 1e-4,
    n_init: int = 1,
    init: str = "kmeans",
    random_state: int | np.random.Generator | None = None,
    cat_pseudocount: float = 0.01,
    prior: bool | float | str = True,
    n_factors: int | None = None,
) -> tuple[MixtureParams, float]:
    """Fits a mixture by exact EM on a table with missing entries.

    Args:
        Xc: Continuous columns (N, Dc), NaN where missing; None for none.
        Xcat: Categorical codes (N, Dj) in ``0..C_j-1``, -1 where missing; None for none.
        n_categories: The number of categories C_j of each categorical column.
        n_components: Number of components K.
        covariance_type: ``"full"`` or ``"diag"``.
        reg_covar: Added to the diagonal of every covariance (in data units, as in sklearn).
        max_iter: Maximum EM iterations per initialization.
        tol: Stop when the objective (mean log-likelihood, or mean log posterior with a prior)
            improves by less than ``tol · max(|objective|, 1)``.
        n_init: Initializations; the one with the highest final objective is kept.
        init: ``"kmeans"`` (k-means on standardized, mean-imputed data), ``"k-means++"`` (its
            seeding only) or ``"random"`` (random responsibilities).
        random_state: Seed or generator for the initializations.
        cat_pseudocount: Dirichlet pseudo-count added to every category of every component.
        prior: Conjugate prior of the means and covariances (MAP estimation, Fraley & Raftery
            2007). ``True`` (default): each component's covariance gets ``D + 2`` pseudo-rows
            (3 per column for ``"diag"``) of the data covariance divided by ``K^(2/D)``; a
            number ``w`` multiplies those pseudo-rows (``w = 2`` has mclust's degrees of
            freedom); ``"mclust"``: mclust's ``defaultPrior`` exactly; ``False`` (or 0):
            maximum likelihood. ``reg_covar`` is still added after the MAP step.
        n_factors: ``q`` restricts every (full) covariance to ``W Wᵀ + σ² I`` with ``W`` of
            rank ``q``: a mixture of probabilistic PCA (Tipping & Bishop, 1999), fitted by the
            same EM with the closed-form M-step of ``mstep.ppca``. Fewer parameters than a full
            covariance (``Dq - q(q-1)/2 + 1`` against ``D(D+1)/2``) where the columns lie
            near a low-dimensional subspace, as image pixels do. None: unconstrained.

    Returns:
        The fitted parameters and their mean log-likelihood per row of the observed entries
        (at the MAP estimate when ``prior`` is on; it is what ``bic`` takes, as in mclust).

    Raises:
        InputError: A row or a column is entirely missing, a code is out of range, or an
            option is invalid.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> X = np.concatenate([rng.normal(-4, 1, (100, 2)), rng.normal(4, 1, (100, 2))])
        >>> X[::5, 0] = np.nan
        >>> params, loglik = fit_em(X, None, [], 2, random_state=0)
        >>> np.sort(params.means[:, 1]).round()
        array([-4.,  4.])
    """
    table = fit_table(Xc, Xcat, n_categories)
    opts = Options(
        covariance_type,
        reg_covar,
        max_iter,
        tol,
        init,
        cat_pseudocount,
        prior_factor(prior),
        n_factors,
    )
    check_options(opts, n_components, n_init, len(table.Xc))
    rng = np.random.default_rng(random_state)
    best: tuple[MixtureParams, float, float, bool] | None = None
    for _ in range(n_init):
        run = _fit_once(table, n_components, opts, rng)
        if best is None or run[2] > best[2]:
            best = run
    params, loglik, _, converged = best
    if not converged:
        warn(f"EM did not converge in {max_iter} iterations; raise max_iter or tol", RuntimeWarning)
    params.means = params.means + table.shift
    return params, float(loglik)
