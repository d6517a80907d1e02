"""Importance sampling over the missing entries of rows: imputation and likelihood estimates.

A flow cannot integrate out missing numeric entries in closed form. For each row, ``P``
particles complete it from a proposal ``q``: missing categories from the table's conditional
(:meth:`CategoryTable.draw`), missing numeric entries from a Student-t around the conditional
of the class's whitening Gaussian, and observed integer entries spread uniformly over their
grid cell (so the weights target the cell's probability). The weights are
``p(x_o, x_m, c | class) / q(x_m, c_m)``:

* ``impute(method="sample")`` is sampling importance resampling: one particle per row;
* ``impute(method="mean")`` is the self-normalized weighted mean (categorical entries: the
  category of largest weight);
* ``log_marginal`` is ``log mean(w)``, an estimate of ``log p(x_o)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln, logsumexp

from genlab.models.flow.network import EVAL_ROWS
from genlab.models.flow.table import CategoryTable
from genlab.nn.sampling import draw_categorical

_T_DOF = 4.0  # Student-t proposal: heavier tails than the Gaussian, so weights stay bounded

#: ``(x_num (N, Dn), cats (N, Dc), class codes (N,) or None) -> log p(x_num | cats, class)``.
FlowDensity = Callable[[np.ndarray, np.ndarray, np.ndarray | None], np.ndarray]


@dataclass
class ImportanceSampler:
    """Particles completing rows of a fitted flow, and their log importance weights.

    Attributes:
        numeric: which columns are numeric (D,); the others are categorical.
        dequantized: which numeric columns are integer grids (Dn,).
        table: the categorical table ``p(c | class)``.
        loc: the whitening Gaussians' means per class (G, Dn).
        scale_tril: their Cholesky factors (G, Dn, Dn).
        class_log_prior: log class frequencies (C,), or None without labels.
        flow_log_density: the flow's density of the numeric columns given the categories.
    """

    numeric: np.ndarray
    dequantized: np.ndarray
    table: CategoryTable
    loc: np.ndarray
    scale_tril: np.ndarray
    class_log_prior: np.ndarray | None
    flow_log_density: FlowDensity

    def impute(
        self,
        A: np.ndarray,
        codes: np.ndarray | None,
        rng: np.random.Generator,
        method: str,
        P: int,
    ) -> np.ndarray:
        """``A`` (N, D) with its NaN entries filled from ``P`` particles per row."""
        out = A.copy()
        numeric, categorical = self.numeric, ~self.numeric
        for block in blocks(np.flatnonzero(np.isnan(A).any(axis=1)), P):
            particles, log_w = self.particles(
                A[block], None if codes is None else codes[block], P, rng
            )
            w = np.exp(log_w - logsumexp(log_w, axis=1, keepdims=True))  # (B, P)
            if method == "sample":  # sampling importance resampling: one particle per row
                out[block] = particles[np.arange(len(block)), draw_categorical(w, rng)]
                continue
            out[np.ix_(block, np.flatnonzero(numeric))] = np.einsum(
                "bp,bpd->bd", w, particles[:, :, numeric]
            )
            for j, C in zip(np.flatnonzero(categorical), self.table.n_categories, strict=True):
                votes = np.eye(C)[particles[:, :, j].astype(int)]  # (B, P, C)
                out[block, j] = np.einsum("bp,bpc->bc", w, votes).argmax(axis=1)
        return out

    def log_marginal(
        self, A: np.ndarray, codes: np.ndarray | None, rng: np.random.Generator, P: int
    ) -> np.ndarray:
        """Estimates of ``log p(x_o)`` (N,) from ``P`` particles per row of ``A``."""
        out = np.empty(len(A))
        for block in blocks(np.arange(len(A)), P):
            _, log_w = self.particles(A[block], None if codes is None else codes[block], P, rng)
            out[block] = logsumexp(log_w, axis=1) - np.log(P)
        return out

    def particles(
        self, A: np.ndarray, codes: np.ndarray | None, P: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """``P`` completions of each row of ``A`` (B, P, D) and their log importance weights
        ``log p(x_o, c_o, x_m, c_m | y) - log q`` (B, P), the class drawn from its prior when
        the model is class-conditional and ``codes`` is None."""
        B = len(A)
        numeric, categorical = self.numeric, ~self.numeric
        if codes is not None:
            groups = np.repeat(codes[:, None], P, axis=1)
        elif self.class_log_prior is not None:
            prior = np.exp(self.class_log_prior)
            groups = rng.choice(len(self.class_log_prior), size=(B, P), p=prior)
        else:
            groups = np.zeros((B, P), np.int64)
        particles = np.repeat(A[:, None, :], P, axis=1)  # (B, P, D)
        log_w = np.empty((B, P))
        conditionals: dict[tuple, tuple[np.ndarray, ...]] = {}
        for i in range(B):
            cats, log_pc = self.table.draw(A[i, categorical], groups[i], rng)
            x, log_q = self._propose_numeric(A[i, numeric], groups[i], rng, conditionals)
            particles[i][:, categorical] = cats
            particles[i][:, numeric] = x
            log_w[i] = log_pc - log_q
        flat = particles.reshape(B * P, -1)
        labels = None if self.class_log_prior is None else groups.reshape(-1)
        log_w += self.flow_log_density(flat[:, numeric], flat[:, categorical], labels).reshape(B, P)
        return particles, log_w

    def _propose_numeric(
        self, x: np.ndarray, groups: np.ndarray, rng: np.random.Generator, cache: dict
    ) -> tuple[np.ndarray, np.ndarray]:
        """Proposal for one row's numeric entries (P, Dn) and ``log q`` (P,), one particle per
        entry of ``groups`` (class codes): observed integer entries spread uniformly over their
        grid cell (so the weights target the cell's probability), missing entries from a
        Student-t around the conditional of the class's fitted Gaussian."""
        seen = ~np.isnan(x)
        out = np.tile(x, (len(groups), 1))
        cell = seen & self.dequantized
        out[:, cell] += rng.uniform(-0.5, 0.5, (len(groups), int(cell.sum())))
        log_q = np.zeros(len(groups))
        if seen.all():
            return out, log_q
        for g in np.unique(groups):
            at = np.flatnonzero(groups == g)
            key = (int(g), seen.tobytes())
            if key not in cache:
                cache[key] = gaussian_conditional(self.loc[int(g)], self.scale_tril[int(g)], seen)
            regression, chol, offset = cache[key]
            out[np.ix_(at, np.flatnonzero(~seen))], log_q[at] = student_t(
                offset + regression @ x[seen], chol, len(at), rng
            )
        return out, log_q


def gaussian_conditional(
    loc: np.ndarray, tril: np.ndarray, seen: np.ndarray
) -> tuple[np.ndarray, ...]:
    """``x_m | x_o`` of the Gaussian ``N(loc, tril tril^T)``: mean ``offset + regression @ x_o``,
    and the Cholesky factor of its covariance; returns ``(regression, chol, offset)``.

    Example:
        >>> reg, chol, off = gaussian_conditional(np.zeros(2), np.eye(2), np.array([True, False]))
        >>> reg.tolist(), chol.round(6).tolist(), off.tolist()
        ([[0.0]], [[1.0]], [0.0])
    """
    cov = tril @ tril.T
    o, m = seen, ~seen
    regression = np.linalg.solve(cov[np.ix_(o, o)], cov[np.ix_(o, m)]).T  # (|m|, |o|)
    S = cov[np.ix_(m, m)] - regression @ cov[np.ix_(o, m)]
    chol = np.linalg.cholesky((S + S.T) / 2 + 1e-12 * np.trace(S) * np.eye(len(S)))
    return regression, chol, loc[m] - regression @ loc[o]


def student_t(
    mean: np.ndarray, chol: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` draws (n, k) of a multivariate Student-t with ``_T_DOF`` degrees of freedom,
    location ``mean`` and scale ``chol @ chol.T``, and their log densities (n,)."""
    k = len(mean)
    eps = rng.standard_normal((n, k))
    scale = np.sqrt(rng.chisquare(_T_DOF, (n, 1)) / _T_DOF)
    mahalanobis = (eps**2).sum(axis=1) / scale[:, 0] ** 2
    log_q = (
        gammaln((_T_DOF + k) / 2)
        - gammaln(_T_DOF / 2)
        - k / 2 * np.log(_T_DOF * np.pi)
        - np.log(np.diag(chol)).sum()
        - (_T_DOF + k) / 2 * np.log1p(mahalanobis / _T_DOF)
    )
    return mean + (eps / scale) @ chol.T, log_q


def blocks(rows: np.ndarray, particles: int) -> list[np.ndarray]:
    """Split ``rows`` so that each block evaluates about ``EVAL_ROWS`` particles.

    Example:
        >>> [b.tolist() for b in blocks(np.arange(5), 8192)]
        [[0, 1], [2, 3], [4]]
    """
    size = max(1, EVAL_ROWS // particles)
    return [rows[s : s + size] for s in range(0, len(rows), size)]
