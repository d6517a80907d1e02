"""The categorical part of a flow: ``p(c | class)``, a smoothed joint table of the category
combinations seen in training, one row of counts per class.

The table mixes the empirical frequencies with the uniform distribution over all
combinations, with weight ``smoothing`` on the uniform (add-one smoothing by default,
``K / (N + K)`` for ``K`` combinations and ``N`` rows), so unseen combinations keep a positive
probability. It suits a few categorical columns; the numeric columns are modelled by the flow
given the categories.

Example:
    >>> import numpy as np
    >>> cats = np.array([[0, 1], [0, 1], [1, 0]])
    >>> table = CategoryTable.fit(cats, None, 1, np.array([2, 2]), None)
    >>> p = np.exp(table.log_prob(np.array([[0, 1], [1, 1]]), np.zeros(2, np.int64)))
    >>> p.round(3).tolist()  # add-one: 4 combinations, 3 rows
    [0.429, 0.143]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from genlab.core.errors import InputError

_MAX_ENUMERATED = 4096  # category combinations summed over exactly in log_prob


@dataclass
class CategoryTable:
    """Counts of the category combinations seen in training, per class.

    Attributes:
        combos: the distinct combinations (M, Dc), category codes.
        counts: training rows of each combination per class (G, M).
        smoothing: weight of the uniform distribution per class (G,).
        n_categories: categories of each categorical column (Dc,).
    """

    combos: np.ndarray
    counts: np.ndarray
    smoothing: np.ndarray
    n_categories: np.ndarray

    @classmethod
    def fit(
        cls,
        cats: np.ndarray,
        codes: np.ndarray | None,
        n_groups: int,
        n_categories: np.ndarray,
        smoothing: float | None,
    ) -> CategoryTable:
        """The table of category rows ``cats`` (N, Dc) with class codes ``codes`` (N,) or None
        (one group); ``smoothing`` None is add-one smoothing."""
        groups = np.zeros(len(cats), np.int64) if codes is None else codes
        if cats.shape[1]:
            combos, inverse = np.unique(cats, axis=0, return_inverse=True)
        else:  # no categorical column: one empty combination of probability 1
            combos, inverse = np.zeros((1, 0), np.int64), np.zeros(len(cats), np.int64)
        counts = np.zeros((n_groups, len(combos)))
        np.add.at(counts, (groups, inverse.reshape(-1)), 1.0)
        table = cls(combos, counts, np.zeros(n_groups), n_categories)
        if smoothing is None:  # add-one: K / (N + K), in logs (K can be huge)
            log_n = np.log(np.maximum(counts.sum(axis=1), 1.0))
            weights = np.exp(-np.logaddexp(0.0, log_n - table.log_n_combinations()))
        else:
            weights = np.full(n_groups, float(smoothing))
        table.smoothing = weights if cats.shape[1] else np.zeros(n_groups)
        return table

    def log_n_combinations(self) -> float:
        """``log K``, the log number of possible category combinations."""
        return float(np.log(self.n_categories).sum())

    def log_prob(self, cats: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """log p(c | class) of complete category rows (N, Dc) with class codes ``groups``."""
        lookup = {tuple(row): k for k, row in enumerate(self.combos.tolist())}
        index = np.array([lookup.get(tuple(r), -1) for r in cats.astype(np.int64).tolist()])
        counts = np.where(index >= 0, self.counts[groups, np.maximum(index, 0)], 0.0)
        total = self.counts.sum(axis=1)[groups]
        lam = self.smoothing[groups]
        with np.errstate(divide="ignore"):
            empirical = np.log1p(-lam) + np.log(counts / total)
            return np.logaddexp(empirical, np.log(lam) - self.log_n_combinations())

    def completions(self, cats: np.ndarray, missing: np.ndarray) -> tuple[np.ndarray, int]:
        """Every completion of rows ``cats`` (n, Dc) missing the columns ``missing`` (Dc,):
        ``(n K, Dc)``, the ``K`` completions of each row in turn, and ``K``."""
        sizes = self.n_categories[missing]
        if np.prod(sizes, dtype=float) > _MAX_ENUMERATED:
            raise InputError(
                f"{int(np.prod(sizes, dtype=float))} combinations of missing categories to sum "
                "over; impute them or use GaussianMixture"
            )
        grid = np.indices(sizes).reshape(len(sizes), -1).T  # (K, |m|)
        n, k = len(cats), len(grid)
        full = np.repeat(cats, k, axis=0)  # (n K, Dc)
        full[:, missing] = np.tile(grid, (n, 1))
        return full, k

    def draw(
        self, observed: np.ndarray, groups: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw the missing categories of one row given its observed ones (NaN = missing),
        once per entry of ``groups`` (class codes): ``(P, Dc)``; also ``log p(c_o | class)``."""
        seen, miss = ~np.isnan(observed), np.isnan(observed)
        out = np.tile(observed, (len(groups), 1))  # (P, Dc)
        log_p = np.empty(len(groups))
        combos = self.combos
        match = (combos[:, seen] == observed[seen]).all(axis=1)  # (M,)
        log_share = np.log(self.n_categories[miss]).sum() - self.log_n_combinations()
        for g in np.unique(groups):
            at = np.flatnonzero(groups == g)
            counts = self.counts[g, match]
            lam = self.smoothing[g]
            empirical = (1 - lam) * counts.sum() / self.counts[g].sum()
            uniform = lam * np.exp(log_share)
            log_p[at] = np.log(empirical + uniform)
            if miss.any():
                pick = combos[match][_choose(counts, len(at), rng)][:, miss] if counts.sum() else 0
                flat = rng.integers(0, self.n_categories[miss], size=(len(at), int(miss.sum())))
                from_table = rng.random((len(at), 1)) * (empirical + uniform) < empirical
                out[np.ix_(at, np.flatnonzero(miss))] = np.where(from_table, pick, flat)
        return out, log_p


def _choose(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def flow_state_columns(config: dict, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """What a saved flow pins about its columns (see :mod:`genlab.core.state_columns`): the
    numeric columns its network transforms, the categorical columns of its table, and the
    categories in all, one-hot in the network's context after the classes.

    Example:
        >>> config = {"state": {"module_config": {"features": 2, "context": 5}}, "classes": None}
        >>> flow_state_columns(config, {"table_combos": np.zeros((3, 2))})
        {'numeric': 2, 'categories': [None, None], 'category_total': 5}
    """
    network = config["state"]["module_config"]
    n_classes = len(config.get("classes") or [])
    return {
        "numeric": network["features"],
        "categories": [None] * arrays["table_combos"].shape[1],
        "category_total": network["context"] - n_classes,
    }
