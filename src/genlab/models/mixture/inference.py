"""What a fitted mixture answers: densities, responsibilities, imputations and samples.

Every query is exact: a conditional of a mixture is a mixture, so ``conditional_sample`` draws
from ``p(x_m | x_o)`` itself, and ``log_prob`` marginalizes the missing entries. Rows are
processed in chunks that bound the temporaries.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from genlab.models.mixture.conditional import Conditional, gaussians, posterior, row_chunks
from genlab.models.mixture.params import MixtureParams
from genlab.models.mixture.table import as_table, check_params_match
from genlab.nn.sampling import draw_categorical


def _chunked_posteriors(
    params: MixtureParams, Xc, Xcat, need_blocks: bool
) -> Iterator[tuple[slice, np.ndarray, np.ndarray, Conditional]]:
    """Validates (Xc, Xcat) against ``params`` and yields (rows, log p, resp, conditionals)."""
    Xc, Xcat = as_table(Xc, Xcat, params.n_categories)
    check_params_match(params, Xc)
    g = gaussians(params)
    for rows in row_chunks(len(Xc), params.n_components, params.n_continuous):
        yield rows, *posterior(params, g, Xc[rows], Xcat[rows], need_blocks)


def log_prob(params: MixtureParams, Xc: np.ndarray | None, Xcat: np.ndarray | None) -> np.ndarray:
    """Exact log-density of each row's observed entries, missing entries marginalized.

    A row with no observed entry has log p = 0 (the probability of observing nothing).

    Example:
        >>> import numpy as np
        >>> p = MixtureParams(np.ones(1), np.zeros((1, 2)), np.eye(2)[None], "full", [])
        >>> log_prob(p, np.array([[0.0, np.nan]]), None).round(4)  # log N(0; 0, 1)
        array([-0.9189])
    """
    return np.concatenate([lp for _, lp, _, _ in _chunked_posteriors(params, Xc, Xcat, False)])


def responsibilities(
    params: MixtureParams, Xc: np.ndarray | None, Xcat: np.ndarray | None
) -> np.ndarray:
    """Posterior over components given each row's observed entries, shape (N, K).

    Example:
        >>> import numpy as np
        >>> p = MixtureParams(np.full(2, 0.5), np.array([[-5.0], [5.0]]), np.ones((2, 1)), "diag")
        >>> responsibilities(p, np.array([[-5.0], [np.nan]]), None).round(3)
        array([[1. , 0. ],
               [0.5, 0.5]])
    """
    return np.concatenate([r for _, _, r, _ in _chunked_posteriors(params, Xc, Xcat, False)])


def conditional_mean(
    params: MixtureParams, Xc: np.ndarray | None, Xcat: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Fills missing entries with E[x_m | x_o] (continuous) and the posterior mode (categorical).

    Continuous: the responsibility-weighted mix of each component's conditional mean.
    Categorical: each missing column's most probable category under
    ``p(x_j = c | x_o) = Σ_k r_k θ_kj[c]``. Observed entries are returned unchanged.

    Example:
        >>> import numpy as np
        >>> cov = np.array([[[1.0, 0.8], [0.8, 1.0]]])
        >>> p = MixtureParams(np.ones(1), np.zeros((1, 2)), cov, "full", [])
        >>> conditional_mean(p, np.array([[1.0, np.nan]]), None)[0]
        array([[1. , 0.8]])
    """
    Xc, Xcat = as_table(Xc, Xcat, params.n_categories)
    out_c, out_cat = Xc.copy(), Xcat.copy()
    for rows, _, resp, cond in _chunked_posteriors(params, Xc, Xcat, False):
        miss = np.isnan(Xc[rows])
        out_c[rows][miss] = np.einsum("nk,knd->nd", resp, cond.filled)[miss]
        for j, probs in enumerate(params.cat_probs):
            missing = Xcat[rows, j] < 0
            out_cat[rows, j][missing] = (resp[missing] @ probs).argmax(axis=1)
    return out_c, out_cat


def conditional_sample(
    params: MixtureParams,
    Xc: np.ndarray | None,
    Xcat: np.ndarray | None,
    rng: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draws the missing entries from p(x_m | x_o) exactly; observed entries are copied.

    Per row: a component k ~ p(k | x_o), then the missing continuous entries from that
    component's conditional Gaussian and the missing categories from θ_k.

    Example:
        >>> import numpy as np
        >>> p = MixtureParams(np.ones(1), np.zeros((1, 2)), np.eye(2)[None], "full", [])
        >>> filled, _ = conditional_sample(p, np.array([[0.5, np.nan]]), None, rng=0)
        >>> filled[0, 0], bool(np.isfinite(filled[0, 1]))
        (np.float64(0.5), True)
    """
    rng = np.random.default_rng(rng)
    Xc, Xcat = as_table(Xc, Xcat, params.n_categories)
    out_c, out_cat = Xc.copy(), Xcat.copy()
    for rows, _, resp, cond in _chunked_posteriors(params, Xc, Xcat, True):
        comp = draw_categorical(resp, rng)  # (n,)
        draw = cond.filled[comp, np.arange(len(comp))]  # (n, D) conditional means of comp
        for block in cond.blocks:
            comp_rows = comp[block.rows]  # (g,)
            chol = np.linalg.cholesky(block.cov[block.pattern, comp_rows])  # (g, m, m)
            noise = rng.standard_normal(chol.shape[:2])  # (g, m)
            draw[block.rows[:, None], block.cols[block.pattern]] += np.einsum(
                "gab,gb->ga", chol, noise
            )
        miss = np.isnan(Xc[rows])
        out_c[rows][miss] = draw[miss]
        for j, probs in enumerate(params.cat_probs):
            missing = Xcat[rows, j] < 0
            out_cat[rows, j][missing] = draw_categorical(probs[comp[missing]], rng)
    return out_c, out_cat


def sample(
    params: MixtureParams, n: int, rng: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Draws ``n`` complete rows (Xc (n, Dc), Xcat (n, Dj)) from the mixture.

    Example:
        >>> import numpy as np
        >>> p = MixtureParams(np.ones(1), np.zeros((1, 2)), np.ones((1, 2)), "diag", [])
        >>> [a.shape for a in sample(p, 5, rng=0)]
        [(5, 2), (5, 0)]
    """
    rng = np.random.default_rng(rng)
    comp = rng.choice(params.n_components, size=n, p=params.weights)  # (n,)
    noise = rng.standard_normal((n, params.n_continuous))
    Xc = params.means[comp].copy()  # (n, Dc)
    if params.covariance_type == "diag":
        Xc += np.sqrt(params.covariances[comp]) * noise
    elif params.n_continuous:
        chol = np.linalg.cholesky(params.covariances)  # (K, Dc, Dc)
        for k in range(params.n_components):
            Xc[comp == k] += noise[comp == k] @ chol[k].T
    Xcat = np.zeros((n, len(params.cat_probs)), np.int64)
    for j, probs in enumerate(params.cat_probs):
        Xcat[:, j] = draw_categorical(probs[comp], rng)
    return Xc, Xcat
