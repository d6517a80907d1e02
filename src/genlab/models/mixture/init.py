"""Initialization of EM: the first responsibilities, from k-means, k-means++ seeds or at random.

k-means runs on the continuous columns standardized and mean-imputed, next to one-hot categories
(a missing category is its column's observed frequencies), so every column counts on one scale.

Example:
    >>> import numpy as np
    >>> from genlab.models.mixture.table import fit_table
    >>> table = fit_table(np.array([[0.0], [0.1], [5.0], [5.1]]), None, [])
    >>> initial_resp(table, 2, "kmeans", np.random.default_rng(0)).sum(axis=0)
    array([2., 2.])
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus

from genlab.models.mixture.table import Table


def _init_features(table: Table) -> np.ndarray:
    """Standardized, mean-imputed continuous columns and one-hot (frequency-imputed) categories."""
    std = np.sqrt(table.col_var)
    std[std == 0] = 1.0
    parts = [np.where(table.miss, 0.0, table.Xc / std)]
    for j, n_cat in enumerate(table.n_categories):
        x = table.Xcat[:, j]
        freq = np.bincount(x[x >= 0], minlength=n_cat) / max((x >= 0).sum(), 1)
        parts.append(np.where((x < 0)[:, None], freq, np.eye(n_cat)[np.maximum(x, 0)]))
    return np.concatenate(parts, axis=1)  # (N, Dc + Σ C_j)


def initial_resp(table: Table, K: int, init: str, rng: np.random.Generator) -> np.ndarray:
    """Initial responsibilities (N, K): k-means labels, k-means++ seeds, or random."""
    if init == "random":
        resp = rng.random((len(table.Xc), K))
        return resp / resp.sum(axis=1, keepdims=True)
    features = _init_features(table)
    seed = int(rng.integers(2**31 - 1))
    if init == "kmeans":
        labels = KMeans(K, n_init=1, random_state=seed).fit(features).labels_
    else:
        centers, _ = kmeans_plusplus(features, K, random_state=seed)
        labels = ((features[:, None, :] - centers) ** 2).sum(axis=2).argmin(axis=1)
    return np.eye(K)[labels]
