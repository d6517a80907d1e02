"""Choosing the number of components: BIC on the training data, or held-out likelihood.

BIC (``select_n_components``) counts the free parameters of a fit (``n_parameters``); the
cross-validated score (``cross_validated_scores``) is the mean log-likelihood of held-out rows
over 5 folds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from genlab.core.errors import InputError
from genlab.models.mixture.em import fit_em
from genlab.models.mixture.inference import log_prob
from genlab.models.mixture.params import MixtureParams
from genlab.models.mixture.table import as_table


def n_parameters(params: MixtureParams) -> int:
    """Number of free parameters (weights, means, covariances, category probabilities).

    Example:
        >>> import numpy as np
        >>> p = MixtureParams(np.full(2, 0.5), np.zeros((2, 3)), np.ones((2, 3, 3)), "full")
        >>> n_parameters(p)  # 1 + 2·3 + 2·6
        19
    """
    K, D, q = params.n_components, params.n_continuous, params.n_factors
    if params.covariance_type == "diag":
        cov = K * D
    elif q is not None and q < D:
        cov = K * (D * q - q * (q - 1) // 2 + 1)  # W up to rotation, plus σ²
    else:
        cov = K * D * (D + 1) // 2
    return (K - 1) + K * D + cov + K * sum(c - 1 for c in params.n_categories)


def bic(params: MixtureParams, mean_loglik: float, n: int) -> float:
    """Bayesian information criterion ``-2·n·loglik + p·log n`` (sklearn's convention).

    Example:
        >>> import numpy as np
        >>> p = MixtureParams(np.ones(1), np.zeros((1, 1)), np.ones((1, 1)), "diag")
        >>> round(bic(p, -1.0, 100), 3)  # 200 + 2·log(100)
        209.21
    """
    return -2.0 * n * mean_loglik + n_parameters(params) * math.log(n)


def select_n_components(
    Xc: np.ndarray | None,
    Xcat: np.ndarray | None,
    n_categories: Sequence[int] | None,
    candidates: Iterable[int] = range(1, 11),
    **fit_kwargs,
) -> tuple[MixtureParams, float, dict[int, float]]:
    """Fits one mixture per candidate K and keeps the one with the lowest BIC.

    Candidates larger than the number of rows are skipped. With a prior (``fit_kwargs``
    ``prior``, on by default) BIC takes the log-likelihood at the MAP estimate and the full
    parameter count, as mclust does; the prior lowers the training log-likelihood, so BIC then
    favours fewer components than cross-validation does.

    Returns:
        The best parameters, their mean log-likelihood, and the BIC of every candidate.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> X = np.concatenate([rng.normal(-5, 1, (100, 1)), rng.normal(5, 1, (100, 1))])
        >>> params, loglik, scores = select_n_components(X, None, [], [1, 2, 3], random_state=0)
        >>> params.n_components, sorted(scores)
        (2, [1, 2, 3])
    """
    n_rows = len(as_table(Xc, Xcat, n_categories)[0])
    usable = [k for k in candidates if k <= n_rows]
    if not usable:
        raise InputError(f"no candidate number of components fits {n_rows} rows")
    scores: dict[int, float] = {}
    best: tuple[int, MixtureParams, float] | None = None
    for k in usable:
        params, loglik = fit_em(Xc, Xcat, n_categories, k, **fit_kwargs)
        scores[k] = bic(params, loglik, n_rows)
        if best is None or scores[k] < scores[best[0]]:
            best = (k, params, loglik)
    return best[1], best[2], scores


def cross_validated_scores(
    Xc: np.ndarray, Xcat: np.ndarray, n_categories: list[int], candidates: range, kwargs: dict
) -> dict[int, float]:
    """Mean 5-fold held-out log-likelihood per row of each candidate number of components.

    There is one fold per row below 5 rows. A fold whose other rows leave a column without an
    observed entry cannot be fitted, so it is left out (on a few rows with holes); with none
    left every candidate scores -inf and the caller keeps the first.

    Args:
        Xc: Continuous columns (N, Dc), NaN where missing.
        Xcat: Categorical codes (N, Dj), -1 where missing.
        n_categories: The number of categories of each categorical column.
        candidates: The numbers of components to score.
        kwargs: Options of ``fit_em``; its ``random_state`` also shuffles the rows into folds.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> X = np.concatenate([rng.normal(-5, 1, (50, 1)), rng.normal(5, 1, (50, 1))])
        >>> no_cats = np.zeros((100, 0), np.int64)
        >>> scores = cross_validated_scores(X, no_cats, [], range(1, 4), {"random_state": 0})
        >>> bool(scores[2] > scores[1] + 0.5)  # two blobs: one component is far worse held out
        True
    """
    order = np.random.default_rng(kwargs["random_state"]).permutation(len(Xc))
    folds = np.array_split(order, min(5, len(Xc)))  # none empty
    observed = np.concatenate([~np.isnan(Xc), Xcat >= 0], axis=1)  # (N, Dc + Dj)
    splits = []  # (training rows, held-out rows) of the folds that can be fitted
    for f, held in enumerate(folds):
        train = np.concatenate([fold for g, fold in enumerate(folds) if g != f])
        if observed[train].any(axis=0).all():
            splits.append((train, held))
    n_held = sum(len(held) for _, held in splits)
    scores = {}
    for k in candidates:
        total = 0.0 if splits else -np.inf
        for train, held in splits:
            if k > len(train):
                total = -np.inf
                break
            params, _ = fit_em(Xc[train], Xcat[train], n_categories, k, **kwargs)
            total += log_prob(params, Xc[held], Xcat[held]).sum()
        scores[k] = total / max(n_held, 1)
    return scores
