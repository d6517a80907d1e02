"""Per-column output distributions for neural families: a network emits one flat parameter
vector per row, :class:`ColumnHeads` reads it as one distribution per schema column.

=============  ======================================  =====================================
column kind    distribution                             parameters (in this order)
=============  ======================================  =====================================
continuous     mixture of K Gaussians                   K logits, K means, K log-scales
integer        discretized logistic mixture on the      K logits, K means, K log-scales
               unit grid lo..hi, edge bins absorbing
               the tails (PixelCNN++)
categorical    softmax over C categories                C logits
=============  ======================================  =====================================

Values are on the encoded scale of :class:`~genlab.data.schema.Schema`: integers as their
values, categories as codes ``0..C-1``, continuous columns as given (the caller standardizes
them). Integer means and scales are expressed relative to the grid (``mu = centre +
half_width * raw``), so a network whose outputs are near 0 starts from a broad distribution
on the right range.

Everything is exact and stable: mixtures are combined with log-sum-exp, and the mass of an
integer bin, ``sigmoid(a) - sigmoid(b)``, is computed as
``logsigmoid(a) + logsigmoid(-b) + log(1 - exp(b - a))``, so the probabilities of a column's
grid telescope to exactly 1 and never underflow to ``log 0`` in the tails.

References:
    Salimans, T. et al. (2017). PixelCNN++: improving the PixelCNN with discretized logistic
    mixture likelihood and other modifications. ICLR.

Example:
    >>> import torch
    >>> spec = [{"kind": "integer", "levels": [0, 16], "n_components": 2},
    ...         {"kind": "categorical", "n_categories": 3},
    ...         {"kind": "continuous", "n_components": 1}]
    >>> heads = ColumnHeads(spec)
    >>> heads.n_params, heads.n_params_per_column
    (12, [6, 3, 3])
    >>> params = torch.zeros(4, heads.n_params)
    >>> heads.log_prob(params, torch.tensor([[3.0, 1.0, 0.2]] * 4)).shape
    torch.Size([4, 3])
    >>> bool(torch.allclose(heads.log_pmf(params, 0).exp().sum(-1), torch.ones(4)))
    True
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from genlab.core.errors import InputError
from genlab.data.schema import Schema

_LOG_SCALE_MIN = -7.0  # scales below e^-7 (relative) only buy numerical trouble
_LOG_SCALE_MAX = 7.0


class ColumnHeads(nn.Module):
    """Distributions of all columns given flat parameters ``(B, P)`` (see module docstring).

    Args:
        spec: one JSON-able dict per column: ``{"kind": "continuous", "n_components": K}``,
            ``{"kind": "integer", "levels": [lo, hi], "n_components": K}`` or
            ``{"kind": "categorical", "n_categories": C}``.

    Attributes:
        spec: the spec, as given (save it to rebuild the heads).
        n_params: total number of parameters per row, ``P``.
        n_params_per_column: ``P_j`` for each column.
        param_column: ``(P,)`` long tensor, the column each parameter belongs to (the output
            degrees of a MADE network).
    """

    def __init__(self, spec: list[dict[str, Any]]) -> None:
        super().__init__()
        if not spec:
            raise InputError("ColumnHeads needs at least one column")
        self.spec = [dict(s) for s in spec]
        self.n_params_per_column = [_n_params(s, j) for j, s in enumerate(self.spec)]
        self.n_params = sum(self.n_params_per_column)
        self.n_columns = len(self.spec)
        offsets = [0]
        for n in self.n_params_per_column:
            offsets.append(offsets[-1] + n)
        self.offsets = offsets
        self.register_buffer(
            "param_column",
            torch.repeat_interleave(
                torch.arange(len(spec)), torch.tensor(self.n_params_per_column)
            ),
            persistent=False,
        )
        self._groups = _group_columns(self.spec, offsets)
        for g, group in enumerate(self._groups):  # buffers so that .to(device) moves them
            self.register_buffer(f"_cols{g}", group["cols"], persistent=False)
            self.register_buffer(f"_index{g}", group["index"], persistent=False)
            if group["kind"] == "integer":
                self.register_buffer(f"_lo{g}", group["lo"], persistent=False)
                self.register_buffer(f"_hi{g}", group["hi"], persistent=False)

    @classmethod
    def spec_from_schema(
        cls, schema: Schema, n_components: int = 5, n_components_continuous: int | None = None
    ) -> list[dict[str, Any]]:
        """The spec of a schema: ``n_components`` logistics per integer column, and
        ``n_components_continuous`` (default: the same) Gaussians per continuous column.

        Example:
            >>> import numpy as np
            >>> from genlab.data.schema import infer_schema
            >>> ColumnHeads.spec_from_schema(infer_schema(np.array([[0, 3], [2, 1]])), 3)[0]
            {'kind': 'integer', 'levels': [0, 3], 'n_components': 3}
        """
        k_cont = n_components if n_components_continuous is None else n_components_continuous
        spec: list[dict[str, Any]] = []
        for c in schema.columns:
            if c.kind == "categorical":
                spec.append({"kind": "categorical", "n_categories": c.n_categories})
            elif c.kind == "integer":
                spec.append(
                    {
                        "kind": "integer",
                        "levels": [int(v) for v in c.levels],
                        "n_components": n_components,
                    }
                )
            else:
                spec.append({"kind": "continuous", "n_components": k_cont})
        return spec

    @staticmethod
    def spec_columns(spec: list[dict[str, Any]]) -> list[Any]:
        """The columns a spec was made for, as :mod:`genlab.core.state_columns` declares them
        (the number of categories of a categorical column, the grid of an integer one).

        Example:
            >>> ColumnHeads.spec_columns([{"kind": "integer", "levels": [0, 3]},
            ...                           {"kind": "categorical", "n_categories": 2}])
            [[0, 3], 2]
        """
        return [
            s["n_categories"] if s["kind"] == "categorical" else s.get("levels", s["kind"])
            for s in spec
        ]

    @classmethod
    def from_schema(cls, schema: Schema, n_components: int = 5) -> ColumnHeads:
        """Heads for every column of ``schema`` (see :meth:`spec_from_schema`)."""
        return cls(cls.spec_from_schema(schema, n_components))

    # ------------------------------------------------------------------ views
    def _group(self, g: int, params: torch.Tensor) -> tuple[dict, torch.Tensor, torch.Tensor]:
        group = self._groups[g]
        cols = getattr(self, f"_cols{g}")
        return group, cols, params[:, getattr(self, f"_index{g}")]  # (B, Dg, Pg)

    def _bounds(self, g: int) -> tuple[torch.Tensor, torch.Tensor]:
        return getattr(self, f"_lo{g}"), getattr(self, f"_hi{g}")

    def _check(self, params: torch.Tensor) -> None:
        if params.ndim != 2 or params.shape[1] != self.n_params:
            raise InputError(
                f"params must have shape (B, {self.n_params}), got {tuple(params.shape)}"
            )

    # -------------------------------------------------------------- densities
    def log_prob(self, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Per-column log-likelihood in nats, ``(B, D)``; a NaN entry of ``x`` gets 0.

        Integer values are rounded and clipped to their grid (the edge bins hold the tails);
        category codes are rounded.
        """
        self._check(params)
        missing = torch.isnan(x)
        x = torch.where(missing, torch.zeros_like(x), x)
        out = torch.zeros_like(x, dtype=params.dtype)
        for g in range(len(self._groups)):
            group, cols, p = self._group(g, params)
            xg = x[:, cols].to(params.dtype)  # (B, Dg)
            if group["kind"] == "categorical":
                lp = _categorical_log_prob(p, xg)
            elif group["kind"] == "integer":
                lp = _dlogistic_log_prob(p, xg, *self._bounds(g))
            else:
                lp = _gaussian_log_prob(p, xg)
            out[:, cols] = lp
        return out.masked_fill(missing, 0.0)

    def log_pmf(self, params: torch.Tensor, column: int) -> torch.Tensor:
        """Log-probabilities of every value of discrete ``column``, ``(B, L)``: the grid
        ``lo..hi`` of an integer column or the C categories (for entropy coders)."""
        self._check(params)
        s = self.spec[column]
        if s["kind"] == "continuous":
            raise InputError(f"column {column} is continuous: it has no probability mass function")
        p = params[:, self.offsets[column] : self.offsets[column + 1]]
        if s["kind"] == "categorical":
            return F.log_softmax(p, dim=-1)
        lo, hi = (int(v) for v in s["levels"])
        grid = torch.arange(lo, hi + 1, dtype=params.dtype, device=params.device)  # (L,)
        B, L = len(p), len(grid)
        p = p[:, None, :].expand(B, L, p.shape[-1])  # (B, L, 3K)
        lo_t = torch.full((L,), float(lo), dtype=params.dtype, device=params.device)
        return _dlogistic_log_prob(p, grid.expand(B, L), lo_t, lo_t + (hi - lo))

    def bin_log_pmf(self, params: torch.Tensor, column: int, edges: torch.Tensor) -> torch.Tensor:
        """Log-probabilities of the bins ``[edges[i], edges[i + 1]]`` of continuous ``column``,
        ``(B, L)`` for ``edges (L + 1,)`` increasing on the column's scale; the first edge may
        be ``-inf`` and the last ``+inf`` (edge bins that hold the tails). Each Gaussian's bin
        mass ``Phi(u) - Phi(l)`` is ``exp(log Phi(a) + log(1 - exp(log Phi(b) - log Phi(a))))``
        with ``(a, b) = (u, l)``, or ``(-l, -u)`` right of the mean, so it never cancels.

        Example:
            >>> heads = ColumnHeads([{"kind": "continuous", "n_components": 2}])
            >>> inf = float("inf")
            >>> edges = torch.tensor([-inf, -1.0, 0.0, 1.0, inf], dtype=torch.float64)
            >>> lp = heads.bin_log_pmf(torch.zeros(1, 6, dtype=torch.float64), 0, edges)
            >>> [round(v, 4) for v in lp.exp()[0].tolist()]
            [0.1587, 0.3413, 0.3413, 0.1587]
        """
        self._check(params)
        if self.spec[column]["kind"] != "continuous":
            raise InputError(f"column {column} is discrete: use log_pmf")
        p = params[:, self.offsets[column] : self.offsets[column + 1]]
        logits, mu, log_s = _mixture_parts(p)  # (B, K) each
        s = log_s.clamp(_LOG_SCALE_MIN, _LOG_SCALE_MAX).exp()
        z = (edges.to(params.dtype)[None, :, None] - mu[:, None, :]) / s[:, None, :]  # (B, L+1, K)
        lower, upper = z[:, :-1], z[:, 1:]
        right = lower > 0
        a = torch.where(right, -lower, upper)
        b = torch.where(right, -upper, lower)
        log_a, log_b = torch.special.log_ndtr(a), torch.special.log_ndtr(b)
        comp = log_a + _log1mexp(log_a - log_b)  # (B, L, K)
        return torch.logsumexp(F.log_softmax(logits, -1)[:, None, :] + comp, dim=-1)

    # --------------------------------------------------------------- sampling
    def sample(
        self, params: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """One draw per row and column, ``(B, D)``, on the encoded scale (exact)."""
        self._check(params)
        B = len(params)
        out = torch.empty(B, self.n_columns, dtype=params.dtype, device=params.device)
        for g in range(len(self._groups)):
            group, cols, p = self._group(g, params)
            if group["kind"] == "categorical":
                out[:, cols] = _draw_categorical(p, generator)
                continue
            logits, mu, log_s = _mixture_parts(p)
            if group["kind"] == "integer":
                mu, s = _grid_loc_scale(mu, log_s, *self._bounds(g))
            else:
                s = log_s.clamp(_LOG_SCALE_MIN, _LOG_SCALE_MAX).exp()
            k = _draw_categorical(logits, generator).long()[..., None]  # (B, Dg, 1)
            mu, s = mu.gather(-1, k)[..., 0], s.gather(-1, k)[..., 0]  # (B, Dg)
            u = torch.rand(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)
            if group["kind"] == "integer":
                # Rounding a logistic draw and clipping to the grid gives exactly the bin masses.
                u = u.clamp(1e-6, 1 - 1e-6)
                lo, hi = self._bounds(g)
                value = (mu + s * (torch.log(u) - torch.log1p(-u))).round()
                out[:, cols] = torch.minimum(torch.maximum(value, lo), hi)
            else:
                z = torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)
                out[:, cols] = mu + s * z
        return out

    def mean(self, params: torch.Tensor) -> torch.Tensor:
        """Mean of each column's distribution, ``(B, D)``; the most probable category for
        categorical columns (a mean of codes means nothing)."""
        self._check(params)
        out = torch.empty(len(params), self.n_columns, dtype=params.dtype, device=params.device)
        for g in range(len(self._groups)):
            group, cols, p = self._group(g, params)
            if group["kind"] == "categorical":
                out[:, cols] = p.argmax(-1).to(params.dtype)
            elif group["kind"] == "integer":
                out[:, cols] = _dlogistic_mean(p, *self._bounds(g))
            else:
                logits, mu, _ = _mixture_parts(p)
                out[:, cols] = (F.softmax(logits, -1) * mu).sum(-1)
        return out


# ============================================================= the distributions
def _mixture_parts(p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    k = p.shape[-1] // 3
    return p[..., :k], p[..., k : 2 * k], p[..., 2 * k :]  # each (B, Dg, K)


def _grid_loc_scale(
    mu: torch.Tensor, log_s: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Means and scales relative to the grid: centre + half-width * raw, half-width * e^raw."""
    half = ((hi - lo) / 2).clamp_min(0.5)[:, None]  # (Dg, 1)
    centre = ((hi + lo) / 2)[:, None]
    return centre + half * mu, half * log_s.clamp(_LOG_SCALE_MIN, _LOG_SCALE_MAX).exp()


def _log1mexp(d: torch.Tensor) -> torch.Tensor:
    """``log(1 - exp(-d))`` for ``d > 0``, stable at both ends (Mächler, 2012)."""
    return torch.where(d < math.log(2), torch.log(-torch.expm1(-d)), torch.log1p(-torch.exp(-d)))


def _dlogistic_log_prob(
    p: torch.Tensor, x: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor
) -> torch.Tensor:
    """Discretized logistic mixture: ``p (B, Dg, 3K)``, ``x (B, Dg)`` -> ``(B, Dg)``."""
    logits, mu, log_s = _mixture_parts(p)
    mu, s = _grid_loc_scale(mu, log_s, lo, hi)
    x = torch.minimum(torch.maximum(x.round(), lo), hi)[..., None]  # (B, Dg, 1)
    a = (x + 0.5 - mu) / s  # upper edge of the bin, standardized: (B, Dg, K)
    b = (x - 0.5 - mu) / s
    at_lo, at_hi = (x <= lo[:, None]), (x >= hi[:, None])
    # log(sigmoid(a) - sigmoid(b)) = logsig(a) + logsig(-b) + log(1 - e^(b - a)); the edge bins
    # drop the term of their open side, so that the grid's masses telescope to exactly 1.
    upper = torch.where(at_hi, torch.zeros_like(a), F.logsigmoid(a))
    lower = torch.where(at_lo, torch.zeros_like(b), F.logsigmoid(-b))
    width = torch.where(at_lo | at_hi, torch.ones_like(a), 1.0 / s)  # a - b = 1/s inside
    middle = torch.where(at_lo | at_hi, torch.zeros_like(a), _log1mexp(width))
    comp = upper + lower + middle  # (B, Dg, K)
    return torch.logsumexp(F.log_softmax(logits, -1) + comp, dim=-1)


def _dlogistic_mean(p: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor) -> torch.Tensor:
    """Exact mean on the grid: ``lo + sum_{k=lo}^{hi-1} P(X > k)``, ``(B, Dg)``."""
    logits, mu, log_s = _mixture_parts(p)
    mu, s = _grid_loc_scale(mu, log_s, lo, hi)
    n_steps = int((hi - lo).max().item())
    steps = torch.arange(n_steps, dtype=p.dtype, device=p.device)  # (S,)
    k = lo[:, None] + steps  # (Dg, S) thresholds lo..hi-1
    valid = (k < hi[:, None]).to(p.dtype)
    # P(X > k) per component = sigmoid(-(k + 0.5 - mu) / s)
    tail = torch.sigmoid(-(k[None, :, :, None] + 0.5 - mu[:, :, None, :]) / s[:, :, None, :])
    tail = (tail * F.softmax(logits, -1)[:, :, None, :]).sum(-1)  # (B, Dg, S)
    return lo + (tail * valid).sum(-1)


def _gaussian_log_prob(p: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    logits, mu, log_s = _mixture_parts(p)
    log_s = log_s.clamp(_LOG_SCALE_MIN, _LOG_SCALE_MAX)
    z = (x[..., None] - mu) * torch.exp(-log_s)  # (B, Dg, K)
    comp = -0.5 * z**2 - log_s - 0.5 * math.log(2 * math.pi)
    return torch.logsumexp(F.log_softmax(logits, -1) + comp, dim=-1)


def _categorical_log_prob(p: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    codes = x.round().long().clamp(0, p.shape[-1] - 1)[..., None]  # (B, Dg, 1)
    return F.log_softmax(p, -1).gather(-1, codes)[..., 0]


def _draw_categorical(logits: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """Gumbel-max draw of an index from ``logits (..., C)``, as floats ``(...)``."""
    u = torch.rand(logits.shape, generator=generator, dtype=logits.dtype, device=logits.device)
    gumbel = -torch.log(-torch.log(u.clamp(1e-12, 1 - 1e-7)))
    return (logits + gumbel).argmax(-1).to(logits.dtype)


# ===================================================================== layout
def _n_params(s: dict[str, Any], j: int) -> int:
    kind = s.get("kind")
    if kind == "categorical":
        c = int(s.get("n_categories", 0))
        if c < 1:
            raise InputError(f"column {j}: a categorical head needs n_categories >= 1")
        return c
    if kind not in ("integer", "continuous"):
        raise InputError(f"column {j}: unknown head kind {kind!r}")
    k = int(s.get("n_components", 1))
    if k < 1:
        raise InputError(f"column {j}: n_components must be >= 1, got {k}")
    if kind == "integer":
        lo, hi = s.get("levels", (None, None))
        if lo is None or hi is None or hi < lo:
            raise InputError(f"column {j}: an integer head needs levels [lo, hi] with lo <= hi")
    return 3 * k


def _group_columns(spec: list[dict[str, Any]], offsets: list[int]) -> list[dict[str, Any]]:
    """Columns with the same kind and size share one vectorized computation."""
    groups: dict[tuple[str, int], list[int]] = {}
    for j, s in enumerate(spec):
        groups.setdefault((s["kind"], offsets[j + 1] - offsets[j]), []).append(j)
    out = []
    for (kind, size), cols in groups.items():
        index = torch.tensor([list(range(offsets[j], offsets[j] + size)) for j in cols])
        group: dict[str, Any] = {"kind": kind, "cols": torch.tensor(cols), "index": index}
        if kind == "integer":
            group["lo"] = torch.tensor([float(spec[j]["levels"][0]) for j in cols])
            group["hi"] = torch.tensor([float(spec[j]["levels"][1]) for j in cols])
        out.append(group)
    return out
