"""The categorical part of a mixture: checking codes, their likelihood, their MAP estimate.

Each categorical column is, within a component, an independent categorical ``θ_kj``; a missing
entry (code -1) is marginalized by dropping its factor. The probabilities are MAP estimates
under a symmetric Dirichlet prior: every category gets ``cat_pseudocount`` (default 0.01) extra
counts per component, so a category that a component has not seen keeps a small nonzero
probability instead of giving ``log p = -inf`` on new data.

Example:
    >>> import numpy as np
    >>> probs = map_probabilities(np.array([[3.0, 0.0]]), 1.0)  # (3 + 1) / (3 + 2)
    >>> probs
    array([[0.8, 0.2]])
    >>> categorical_loglik([probs], np.array([[0], [-1]])).round(4)  # -1: marginalized
    array([[-0.2231],
           [ 0.    ]])
"""

from __future__ import annotations

import numpy as np

from genlab.core.errors import InputError


def as_categories(Xcat: np.ndarray, n_categories: list[int]) -> np.ndarray:
    """Checks category codes: integers in [0, C_j), or -1 for missing."""
    if len(n_categories) != Xcat.shape[1]:
        raise InputError(
            f"n_categories has {len(n_categories)} entries but Xcat has {Xcat.shape[1]} columns"
        )
    integral = np.issubdtype(Xcat.dtype, np.integer) or (
        np.issubdtype(Xcat.dtype, np.number) and bool(np.all(np.mod(Xcat, 1) == 0))
    )
    if not integral:
        raise InputError("Xcat must hold integer category codes (-1 for missing)")
    Xcat = Xcat.astype(np.int64)
    bad = (Xcat < -1) | (Xcat >= np.asarray(n_categories, dtype=np.int64))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InputError(
            f"Xcat[{row}, {col}] = {Xcat[row, col]} is not a category of column {col} "
            f"(codes 0..{n_categories[col] - 1}, or -1 for missing)"
        )
    return Xcat


def categorical_loglik(cat_probs: list[np.ndarray], Xcat: np.ndarray) -> np.ndarray:
    """log Π_j θ_kj[x_j] over the observed categorical entries, shape (n, K)."""
    out = np.zeros((len(Xcat), len(cat_probs[0]) if cat_probs else 0))
    for j, probs in enumerate(cat_probs):
        seen = Xcat[:, j] >= 0
        out[seen] += np.log(probs[:, Xcat[seen, j]]).T
    return out


def map_probabilities(counts: np.ndarray, pseudocount: float) -> np.ndarray:
    """Category probabilities (K, C) from expected counts (K, C) under a Dirichlet prior."""
    return (counts + pseudocount) / (
        counts.sum(axis=1, keepdims=True) + pseudocount * counts.shape[1]
    )
