"""The E-step of EM: posteriors from the observed entries, summed into expected statistics.

For full covariances the statistics are those of the EM for incomplete data of Ghahramani &
Jordan (1994): missing entries are replaced by ``E[x_m | x_o, k]`` and the second moments get the
conditional covariance ``Cov[x_m | x_o, k]`` as a correction. For diagonal covariances and for
categorical columns a component's observed-data likelihood factorizes over columns, so the
statistics are per column over the observed entries alone.

References:
    Ghahramani & Jordan (1994). Supervised learning from incomplete data via an EM approach.
    NIPS 6. https://papers.nips.cc/paper/767
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genlab.models.mixture.conditional import (
    Conditional,
    MissingBlock,
    gaussians,
    posterior,
    row_chunks,
)
from genlab.models.mixture.params import MixtureParams
from genlab.models.mixture.prior import Prior, log_prior
from genlab.models.mixture.table import Table


@dataclass
class Stats:
    """Sufficient statistics of the M-step, summed over chunks of rows."""

    n_k: np.ndarray  # (K,) Σ_i r_ik
    sum_obs: np.ndarray  # (K, D) Σ_i r_ik [x_id observed]
    sum_x: np.ndarray  # (K, D) Σ_i r_ik x̂_ikd
    sum_xx: np.ndarray  # full (K, D, D): Σ r (x̂ x̂ᵀ + Cov[x_m|x_o,k]); diag (K, D): Σ r x_d²
    cat_counts: list[np.ndarray]  # (K, C_j) Σ_i r_ik [x_ij = c]

    @classmethod
    def zeros(cls, K: int, D: int, n_categories: list[int], full: bool) -> Stats:
        """Empty statistics of K components, D continuous columns and the given categoricals."""
        sum_xx = np.zeros((K, D, D) if full else (K, D))
        counts = [np.zeros((K, c)) for c in n_categories]
        return cls(np.zeros(K), np.zeros((K, D)), np.zeros((K, D)), sum_xx, counts)

    def add_full(self, resp: np.ndarray, filled: np.ndarray, blocks: list[MissingBlock]) -> None:
        """Ghahramani-Jordan statistics: imputed x̂ plus the conditional covariance."""
        K, D = self.sum_x.shape
        self.sum_x += np.einsum("nk,knd->kd", resp, filled)
        weighted = filled * resp.T[:, :, None]  # (K, n, D)
        self.sum_xx += weighted.transpose(0, 2, 1) @ filled  # (K, D, D)
        for block in blocks:
            # Σ_i r_ik Cov[x_m | x_o, k] = Σ_p (Σ_{i in p} r_ik) Cov_pk, scattered into (K, D, D)
            weight = np.zeros(block.cov.shape[:2])  # (p, K)
            np.add.at(weight, block.pattern, resp[block.rows])
            k = np.arange(K)[None, :, None, None]
            flat = (k * D + block.cols[:, None, :, None]) * D + block.cols[:, None, None, :]
            contrib = weight[:, :, None, None] * block.cov  # (p, K, m, m)
            scattered = np.bincount(flat.ravel(), contrib.ravel(), minlength=K * D * D)
            self.sum_xx += scattered.reshape(K, D, D)

    def add_observed(self, resp: np.ndarray, Xc: np.ndarray, miss: np.ndarray) -> None:
        """Per-column statistics of the observed entries (diagonal covariances)."""
        X0 = np.where(miss, 0.0, Xc)  # (n, D)
        self.sum_obs += resp.T @ (~miss).astype(np.float64)
        self.sum_x += resp.T @ X0
        self.sum_xx += resp.T @ X0**2

    def add_categorical(self, resp: np.ndarray, Xcat: np.ndarray) -> None:
        """Expected counts of the observed categories."""
        for j, counts in enumerate(self.cat_counts):
            seen = Xcat[:, j] >= 0
            np.add.at(counts.T, Xcat[seen, j], resp[seen])  # counts.T: (C_j, K)


def add_chunk(
    stats: Stats, table: Table, rows: slice, resp: np.ndarray, cond: Conditional | None
) -> None:
    """Adds one chunk's statistics; ``cond`` None means mean imputation (initialization)."""
    stats.n_k += resp.sum(axis=0)
    Xc, miss = table.Xc[rows], table.miss[rows]
    if stats.sum_xx.ndim == 2:
        stats.add_observed(resp, Xc, miss)
    elif cond is None:  # centred data: 0 is the column mean
        filled = np.broadcast_to(np.where(miss, 0.0, Xc), (len(stats.n_k), *Xc.shape))
        stats.add_full(resp, filled, [])
    else:
        stats.add_full(resp, cond.filled, cond.blocks)
    stats.add_categorical(resp, table.Xcat[rows])


def e_step(params: MixtureParams, table: Table, prior: Prior | None) -> tuple[float, float, Stats]:
    """Mean log p(x_o) per row under ``params``, its log prior, and the next M-step's statistics."""
    full = params.covariance_type == "full"
    stats = Stats.zeros(params.n_components, params.n_continuous, table.n_categories, full)
    g = gaussians(params)
    total = 0.0
    for rows in row_chunks(len(table.Xc), params.n_components, params.n_continuous):
        log_norm, resp, cond = posterior(params, g, table.Xc[rows], table.Xcat[rows], full)
        total += log_norm.sum()
        add_chunk(stats, table, rows, resp, cond)
    return total / len(table.Xc), log_prior(g, prior), stats
