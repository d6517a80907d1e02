"""Kernel density estimation: a Gaussian kernel on every training point.

The density is ``p(x) = (1/N) sum_i K(x - x_i)`` with a Gaussian kernel of covariance ``H``
on the numeric columns and, on categorical columns, the Aitchison–Aitken kernel (the training
point's category keeps probability ``1 - lam``, the others share ``lam``). Because a KDE is a
mixture with one component per training point, everything is exact:

* ``log_prob`` sums all N kernels (no tree approximation), in float64 batched BLAS
  (:mod:`genlab.models.kde.kernels`);
* ``impute`` draws from the exact conditional p(x_m | x_o), itself a mixture of Gaussians:
  weight each training point by its kernel on the observed entries, pick one, then draw the
  missing entries from the Gaussian conditional of its kernel;
* missing entries in ``log_prob`` are marginalized exactly (sub-block of ``H``).

Integer columns (pixel levels, counts) are dequantized: the kernel sits on ``x_i + u`` with
``u ~ U(-1/2, 1/2)``, and ``log_prob`` reports ``E_u log p(x + u)``, a lower bound on the
log-probability of the integer value, estimated with ``n_dequantize`` fixed offsets.

The kernel's covariance is chosen by :mod:`genlab.models.kde.bandwidth`: by default
(``bandwidth="auto"``) its width and shape by exact leave-one-out likelihood on up to 2000 rows
(about a second on 2 cores: ``genlab bench synthetic-density``, the ``genlab.KDE (default)``
rows), with the chosen multiple of Scott's factor carried to larger data by
Scott's rate; ``"scott"`` is the instant rule of thumb, which blurs multi-modal data.

References:
    Scott, D. W. (1992). Multivariate Density Estimation. Wiley.
    Aitchison, J. & Aitken, C. (1976). Multivariate binary discrimination by the kernel method.

Example:
    >>> import genlab
    >>> ds = genlab.load_dataset("eight_gaussians")
    >>> kde = genlab.KDE().fit(ds)  # bandwidth="auto": leave-one-out on these 2000 rows
    >>> gap = -kde.log_prob(ds.density.sample(500, random_state=1)).mean() - ds.density.entropy()[0]
    >>> bool(0 < gap < 0.3)
    True
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import logsumexp

from genlab.core.errors import InputError
from genlab.core.model import GenerativeModel, class_groups
from genlab.models.kde.bandwidth import (
    AUTO_SHAPES,
    cross_validated,
    scott_factor,
    silverman_factor,
)
from genlab.models.kde.kernels import log_gaussian_tied
from genlab.nn.dequantize import dequantize, dequantized_log_prob
from genlab.nn.sampling import draw_categorical

_RULES = "'auto', 'cv', 'scott', 'silverman'"  # the named bandwidths, for messages
_ROW_BATCH = 1024  # query rows per (M, N) block when a full kernel matrix is needed


class KDE(GenerativeModel):
    """Gaussian kernel density estimate (see module docstring).

    Args:
        bandwidth: ``"auto"`` (the default: the kernel's width and shape, the data covariance
            or its diagonal, with the best leave-one-out likelihood; exact up to 2000 rows,
            on a 2000-row subsample carried to N by Scott's rate beyond), ``"cv"`` (the same
            for the width only, the shape the data covariance), ``"scott"`` or
            ``"silverman"`` (rule-of-thumb factor times the data covariance, as in scipy;
            instant, but they blur multi-modal data), a number (isotropic std in data units)
            or a list of per-column stds. See :mod:`genlab.models.kde.bandwidth`.
        categorical_smoothing: probability ``lam`` that a categorical kernel moves to another
            category; ``None`` uses ``0.1 * (C - 1) / C``.
        n_dequantize: offsets used to estimate the dequantized bound on integer columns.
        random_state: seed for dequantization and the CV subsample.
    """

    family = "kde"
    capabilities = frozenset({"sample", "exact_likelihood", "impute", "conditional"})

    def __init__(
        self,
        *,
        bandwidth: str | float | list[float] = "auto",
        categorical_smoothing: float | None = None,
        n_dequantize: int = 8,
        random_state: int | None = 0,
    ) -> None:
        self.bandwidth = bandwidth
        self.categorical_smoothing = categorical_smoothing
        self.n_dequantize = n_dequantize
        self.random_state = random_state

    # ================================================================== fit
    def _fit(self, A: np.ndarray, codes: np.ndarray | None) -> None:
        rng = np.random.default_rng(self.random_state)
        self._set_column_groups()
        points = dequantize(A[:, self.numeric_], np.flatnonzero(self.dequantized_), rng)
        self.points_ = points  # (N, Dn)
        self.categories_ = A[:, self.categorical_].astype(np.int64)  # (N, Dc)
        self.point_class_ = np.zeros(len(A), np.int64) if codes is None else codes
        self.smoothing_ = self._smoothing(len(A))
        self.bandwidth_matrix_ = self._bandwidth_matrix(points, rng)

    def _smoothing(self, n: int) -> np.ndarray:
        C = self.n_categories_
        lam = (
            0.1 * (C - 1) / C if self.categorical_smoothing is None else self.categorical_smoothing
        )
        lam = np.broadcast_to(np.asarray(lam, np.float64), C.shape).copy()
        if not ((lam >= 0) & (lam < 1)).all():  # NaN too
            raise InputError(f"categorical_smoothing must be in [0, 1), got {lam.tolist()}")
        return lam

    def _bandwidth_matrix(self, points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n, d = points.shape
        bw = self.bandwidth
        if d == 0:
            return np.zeros((0, 0))
        if not isinstance(bw, str):
            return np.diag(self._given_stds(bw, d) ** 2)
        cov = np.atleast_2d(np.cov(points, rowvar=False))
        var = np.diag(cov).copy()
        flat = ~(var > 0)
        if flat.any():
            name = self._numeric_names()[int(np.argmax(flat))]
            raise InputError(
                f"column {name!r} is constant (every value {points[0, np.argmax(flat)]:.6g}): "
                f"bandwidth={bw!r} scales the kernel by each column's spread. Drop the column, "
                "make it categorical, or give the bandwidth as numbers"
            )
        # Collinear columns: a ridge relative to each column's own variance keeps H positive
        # definite and scales with the column, so the model is the same in any units.
        cov += 1e-9 * np.diag(var)
        if bw == "scott":
            return scott_factor(n, d) ** 2 * cov
        if bw == "silverman":
            return silverman_factor(n, d) ** 2 * cov
        if bw in ("auto", "cv"):
            shapes = AUTO_SHAPES if bw == "auto" else ("full",)
            return cross_validated(points, cov, shapes, rng)
        raise InputError(f"bandwidth must be {_RULES}, a number or a list, got {bw!r}")

    def _given_stds(self, bw: object, d: int) -> np.ndarray:
        """The per-column stds a numeric ``bandwidth`` gives; InputError unless it is one
        finite positive number or ``d`` of them (one per numeric column)."""
        names = self._numeric_names()
        try:
            std = None if isinstance(bw, bool) else np.asarray(bw, dtype=np.float64)
        except (TypeError, ValueError):
            std = None
        if std is None or std.ndim > 1 or (std.ndim == 1 and std.shape != (d,)):
            raise InputError(
                f"bandwidth must be {_RULES}, a number or {d} per-column "
                f"stds (one for each of {names}), got {bw!r}"
            )
        std = np.broadcast_to(std, (d,))
        if not (np.isfinite(std) & (std > 0)).all():
            raise InputError(f"bandwidth must be finite and > 0 for every column, got {bw!r}")
        return std

    def _numeric_names(self) -> list[str]:
        return [str(n) for n, keep in zip(self.schema_.names, self.numeric_, strict=True) if keep]

    # =========================================================== likelihood
    def _log_prob(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        columns = np.flatnonzero(self.numeric_)[self.dequantized_]
        return dequantized_log_prob(
            lambda B: self._log_density(B, codes), A, columns, self.n_dequantize
        )

    def _log_density(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        out = np.empty(len(A))
        for c, rows in class_groups(codes, len(A)):
            members = self._members(c)
            for observed, sub in _missing_patterns(A[np.ix_(rows, self.numeric_)]):
                at = rows[sub]
                if self.categorical_.any():
                    out[at] = logsumexp(self._log_kernels(A[at], observed, members), axis=1)
                else:
                    out[at] = self._log_gaussian(A[at], observed, members, reduce=True)
        return out

    def _log_gaussian(
        self, A: np.ndarray, observed: np.ndarray, members: np.ndarray, reduce: bool
    ) -> np.ndarray:
        """``log (1/n) sum_i N(x_o; x_i,o, H_oo)`` (reduce) or its (M, n) terms."""
        n = len(members)
        if not observed.any():  # nothing numeric observed: the Gaussian factor is 1
            return np.zeros(len(A)) if reduce else np.full((len(A), n), -np.log(n))
        H = self.bandwidth_matrix_[np.ix_(observed, observed)]
        queries = A[:, self.numeric_][:, observed]
        centres = self.points_[np.ix_(members, observed)]
        return log_gaussian_tied(queries, centres, np.linalg.cholesky(H), reduce=reduce)

    def _log_kernels(self, A: np.ndarray, observed: np.ndarray, members: np.ndarray) -> np.ndarray:
        """Log of every kernel term at every row, shape (M, n), categorical factor included."""
        out = np.empty((len(A), len(members)))
        for start in range(0, len(A), _ROW_BATCH):
            block = A[start : start + _ROW_BATCH]
            terms = self._log_gaussian(block, observed, members, reduce=False)  # (B, n)
            cats = block[:, self.categorical_]  # (B, Dc)
            for j, lam in enumerate(self.smoothing_):
                seen = ~np.isnan(cats[:, j])
                same = cats[seen, j][:, None] == self.categories_[members, j][None, :]
                other = np.log(lam / (self.n_categories_[j] - 1)) if lam > 0 else -np.inf
                terms[seen] += np.where(same, np.log1p(-lam), other)
            out[start : start + _ROW_BATCH] = terms
        return out

    # =============================================================== sample
    def _sample(self, n: int, codes: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
        out = np.empty((n, self.schema_.n_columns))
        for c, rows in class_groups(codes, n):
            members = self._members(c)
            picked = members[rng.integers(len(members), size=len(rows))]
            out[rows] = self._draw_from_kernels(picked, rng)
        return out

    def _draw_from_kernels(self, picked: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One draw from the kernel of each picked training point, shape (len(picked), D)."""
        out = np.empty((len(picked), self.schema_.n_columns))
        d = self.points_.shape[1]
        if d:
            L = np.linalg.cholesky(self.bandwidth_matrix_)
            out[:, self.numeric_] = (
                self.points_[picked] + rng.standard_normal((len(picked), d)) @ L.T
            )
        out[:, self.categorical_] = self._jitter_categories(self.categories_[picked], rng)
        return out

    def _jitter_categories(self, cats: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Aitchison–Aitken kernel draw: keep the category w.p. 1 - lam, else another one."""
        out = cats.copy()
        for j, lam in enumerate(self.smoothing_):
            move = rng.random(len(cats)) < lam
            shift = rng.integers(1, self.n_categories_[j], size=move.sum()) if move.any() else 0
            out[move, j] = (cats[move, j] + shift) % self.n_categories_[j]
        return out

    # =============================================================== impute
    def _impute(
        self, A: np.ndarray, codes: np.ndarray | None, rng: np.random.Generator, method: str
    ) -> np.ndarray:
        out = A.copy()
        for c, rows in class_groups(codes, len(A)):
            members = self._members(c)
            for observed, sub in _missing_patterns(A[np.ix_(rows, self.numeric_)]):
                at = rows[sub]
                for start in range(0, len(at), _ROW_BATCH):
                    block = at[start : start + _ROW_BATCH]
                    log_w = self._log_kernels(A[block], observed, members)  # (B, n)
                    resp = np.exp(log_w - logsumexp(log_w, axis=1, keepdims=True))
                    fill = self._conditional(A[block], observed, members, resp, rng, method)
                    out[block] = np.where(np.isnan(A[block]), fill, A[block])
        return out

    def _conditional(
        self,
        A: np.ndarray,
        observed: np.ndarray,
        members: np.ndarray,
        resp: np.ndarray,
        rng: np.random.Generator,
        method: str,
    ) -> np.ndarray:
        """Draw (or average) the missing entries given kernel responsibilities (B, n)."""
        H, o, m = self.bandwidth_matrix_, observed, ~observed
        # Gaussian conditioning of one kernel: x_m | x_o ~ N(x_i,m + B (x_o - x_i,o), S)
        B = (
            np.linalg.solve(H[np.ix_(o, o)], H[np.ix_(o, m)]).T
            if o.any()
            else np.zeros((m.sum(), 0))
        )
        S = H[np.ix_(m, m)] - B @ H[np.ix_(o, m)] if o.any() else H[np.ix_(m, m)]
        x_o = A[:, self.numeric_][:, o]  # (B, |o|)
        if method == "mean":
            centres = self.points_[members]  # (n, Dn)
            mean_m = resp @ centres[:, m] + (x_o - resp @ centres[:, o]) @ B.T
            out = np.empty_like(A)
            out[:, self.numeric_] = _scatter(mean_m, m, A.shape[0], self.points_.shape[1])
            out[:, self.categorical_] = self._category_mode(resp, members)
            return out
        picked = members[draw_categorical(resp, rng)]
        out = self._draw_from_kernels(picked, rng)  # categorical entries: a kernel draw
        centre = self.points_[picked]
        noise = rng.standard_normal((len(A), m.sum())) @ _safe_cholesky(S).T
        fill_m = centre[:, m] + (x_o - centre[:, o]) @ B.T + noise
        out[:, self.numeric_] = _scatter(fill_m, m, A.shape[0], self.points_.shape[1])
        return out

    def _category_mode(self, resp: np.ndarray, members: np.ndarray) -> np.ndarray:
        out = np.empty((len(resp), len(self.smoothing_)))
        for j, lam in enumerate(self.smoothing_):
            C = self.n_categories_[j]
            onehot = np.eye(C)[self.categories_[members, j]]  # (n, C)
            kernel = (1 - lam) * onehot + lam / max(C - 1, 1) * (1 - onehot)
            out[:, j] = np.argmax(resp @ kernel, axis=1)
        return out

    # ============================================================ helpers
    def _members(self, c: int | None) -> np.ndarray:
        if c is None:
            return np.arange(len(self.points_))
        return np.flatnonzero(self.point_class_ == c)

    def _dequantizes(self) -> bool:
        return bool(self.dequantized_.any())

    def _get_state(self) -> tuple[dict[str, np.ndarray], dict]:
        arrays = {
            "points": self.points_,
            "categories": self.categories_,
            "point_class": self.point_class_,
            "smoothing": self.smoothing_,
            "bandwidth_matrix": self.bandwidth_matrix_,
        }
        # the kernel of a categorical column depends on its number of categories
        return arrays, {"n_categories": [int(c) for c in self.n_categories_]}

    @classmethod
    def _state_columns(cls, config: dict, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        sizes = (config.get("state") or {}).get("n_categories")  # absent from older files
        n_cat = arrays["categories"].shape[1]
        return {"numeric": arrays["points"].shape[1], "categories": sizes or [None] * n_cat}

    def _set_state(self, arrays: dict[str, np.ndarray], extra: dict) -> None:
        self._set_column_groups()
        self.points_ = arrays["points"]
        self.categories_ = arrays["categories"]
        self.point_class_ = arrays["point_class"]
        self.smoothing_ = arrays["smoothing"]
        self.bandwidth_matrix_ = arrays["bandwidth_matrix"]
        d, dc = int(self.numeric_.sum()), int(self.categorical_.sum())
        if (
            self.points_.shape[1:] != (d,)
            or self.categories_.shape != (len(self.points_), dc)
            or self.bandwidth_matrix_.shape != (d, d)
            or self.smoothing_.shape != (dc,)
        ):  # an edited schema: the loader reports it as an inconsistent file
            raise ValueError("the arrays do not match the schema's columns")


# ====================================================================== helpers
def _missing_patterns(A: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(observed-columns mask, row positions) for each distinct missing pattern of ``A``."""
    observed = ~np.isnan(A)
    if observed.all():  # the common case, without sorting rows
        return [(np.ones(A.shape[1], bool), np.arange(len(A)))]
    patterns, inverse = np.unique(observed, axis=0, return_inverse=True)
    return [(p, np.flatnonzero(inverse.reshape(-1) == k)) for k, p in enumerate(patterns)]


def _scatter(values: np.ndarray, columns: np.ndarray, n: int, d: int) -> np.ndarray:
    out = np.full((n, d), np.nan)
    out[:, columns] = values
    return out


def _safe_cholesky(S: np.ndarray) -> np.ndarray:
    if S.size == 0:
        return S
    S = (S + S.T) / 2
    return np.linalg.cholesky(S + 1e-12 * np.trace(S) / len(S) * np.eye(len(S)))
