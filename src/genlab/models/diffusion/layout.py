"""How the schema's columns live in the diffusion's continuous space, and back.

=================  ============================  ==========================================
column kind        in the diffusion space         back to data / likelihood of ``x_0``
=================  ============================  ==========================================
integer (a grid)   one dimension, levels          rounded and clipped to the grid (by the
                   ``lo .. hi`` mapped onto        schema); a discretized Gaussian on the
                   ``[-1, 1]``                     grid's bins (the end bins open), DDPM's L_0
continuous         one dimension, standardized    unscaled; a Gaussian density (with the
                                                  standardization's Jacobian)
categorical with   ``K`` dimensions: the one-hot  the category of the largest coordinate
``K`` categories   vector mapped to ``{-1, 1}``   (argmax); the softmax over categories of
                                                  the Gaussian decoder's density at each
                                                  category's corner, a proper distribution
=================  ============================  ==========================================

The decoder's likelihoods are those of ``p(x_0 | x_1)`` in the variational bound, so the bound
is a bound on the probability of the data on its own grid (integer and categorical columns)
and on the density of continuous columns.

Example:
    >>> import numpy as np
    >>> lay = Layout([{"kind": "integer", "center": 8.0, "scale": 8.0, "n": 1},
    ...               {"kind": "categorical", "center": 0.0, "scale": 1.0, "n": 3}])
    >>> x = lay.to_net(np.array([[0.0, 2.0], [16.0, 0.0]]))
    >>> x.tolist()
    [[-1.0, -1.0, -1.0, 1.0], [1.0, 1.0, -1.0, -1.0]]
    >>> lay.from_net(x).tolist()
    [[0.0, 2.0], [16.0, 0.0]]
"""

from __future__ import annotations

import math

import numpy as np
import torch

from genlab.data.schema import Schema
from genlab.models.neural import standard_scale

#: Cap on the first step's noise (coarse grids such as 0/1 columns would otherwise start the
#: schedule at noise comparable to the data's range).
MAX_MIN_NOISE = 0.1
#: A predicted ``x_0`` of a continuous column is kept within the training range widened by
#: this fraction of it on each side: at the first reverse steps almost no signal is left and
#: the prediction's error is divided by ``sqrt(alpha_bar)``, so unbounded predictions explode.
CONTINUOUS_MARGIN = 0.25


def layout_config(schema: Schema, A: np.ndarray) -> list[dict]:
    """Per column ``{"kind", "center", "scale", "n", "low", "high"}`` (``n``: dimensions in
    the space; ``low``/``high``: the bounds of a predicted ``x_0`` there)."""
    out = []
    for j, col in enumerate(schema.columns):
        center, scale, n, low, high = 0.0, 1.0, 1, -1.0, 1.0
        if col.kind == "integer":
            lo, hi = col.levels
            center, scale = (lo + hi) / 2, max((hi - lo) / 2, 0.5)
        elif col.kind == "continuous":
            std = float(np.std(A[:, j]))
            center = float(np.mean(A[:, j]))
            scale = standard_scale(std, center)  # relative: the same model in any units
            z_min, z_max = (np.min(A[:, j]) - center) / scale, (np.max(A[:, j]) - center) / scale
            margin = CONTINUOUS_MARGIN * max(z_max - z_min, 1.0)
            low, high = float(z_min - margin), float(z_max + margin)
        else:
            n = int(col.n_categories)
        out.append(
            {
                "kind": col.kind,
                "center": float(center),
                "scale": float(scale),
                "n": n,
                "low": low,
                "high": high,
            }
        )
    return out


def log_diff_ndtr(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``log(Phi(b) - Phi(a))`` for ``a < b`` (either may be infinite), accurate in the tails.

    Example:
        >>> a = torch.tensor([-math.inf, 9.0], dtype=torch.float64)
        >>> [round(float(x), 3) for x in log_diff_ndtr(a, torch.tensor([0.0, 10.0]).double())]
        [-0.693, -43.628]
    """
    upper = a > 0  # both in the upper tail: use Phi(-a) - Phi(-b), the same difference
    lo, hi = torch.where(upper, -b, a), torch.where(upper, -a, b)
    l_lo, l_hi = torch.special.log_ndtr(lo), torch.special.log_ndtr(hi)
    return l_hi + torch.log((-torch.expm1(l_lo - l_hi)).clamp(min=1e-300))


class Layout:
    """The columns' places in the diffusion space (see module docstring)."""

    def __init__(self, config: list[dict]) -> None:
        self.columns = config
        sizes = [c["n"] for c in config]
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
        self.dim = int(sum(sizes))

    @property
    def min_noise(self) -> float | None:
        """Half the finest grid's bin width in the space, at most :data:`MAX_MIN_NOISE`
        (None without integer columns): the noise of the schedule's first step."""
        widths = [1 / c["scale"] for c in self.columns if c["kind"] == "integer"]
        return min(0.5 * min(widths), MAX_MIN_NOISE) if widths else None

    def to_net(self, A: np.ndarray) -> torch.Tensor:
        """Encoded rows ``(N, D)`` -> ``(N, dim)`` float64; NaN fills a missing entry's dims."""
        x = np.zeros((len(A), self.dim))
        for j, (c, s) in enumerate(zip(self.columns, self.starts, strict=True)):
            v = A[:, j]
            if c["kind"] == "categorical":
                codes = np.nan_to_num(v).astype(int)
                block = -np.ones((len(A), c["n"]))
                block[np.arange(len(A)), codes] = 1.0
                block[np.isnan(v)] = np.nan
                x[:, s : s + c["n"]] = block
            else:
                x[:, s] = (v - c["center"]) / c["scale"]
        return torch.as_tensor(x)

    def from_net(self, x: torch.Tensor) -> np.ndarray:
        """``(N, dim)`` -> encoded rows ``(N, D)`` float64 (the schema rounds to the grids)."""
        x = x.double().numpy()
        A = np.empty((len(x), len(self.columns)))
        for j, (c, s) in enumerate(zip(self.columns, self.starts, strict=True)):
            if c["kind"] == "categorical":
                A[:, j] = np.argmax(x[:, s : s + c["n"]], axis=1)
            else:
                A[:, j] = x[:, s] * c["scale"] + c["center"]
        return A

    def clip_bounds(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Bounds ``(dim,)`` on a predicted ``x_0``: ``[-1, 1]`` on grids and categories, the
        widened training range on continuous columns."""
        low = np.repeat([c["low"] for c in self.columns], [c["n"] for c in self.columns])
        high = np.repeat([c["high"] for c in self.columns], [c["n"] for c in self.columns])
        return torch.as_tensor(low), torch.as_tensor(high)

    def decoder_log_prob(self, x0: torch.Tensor, mean: torch.Tensor, var: float) -> torch.Tensor:
        """``log p(x_0 | x_1)`` ``(N,)`` nats of the data ``x0`` under ``N(mean, var)`` read per
        column kind (see module docstring), on the encoded scale of the data."""
        std, out = math.sqrt(var), torch.zeros(len(x0), dtype=torch.float64)
        for c, s in zip(self.columns, self.starts, strict=True):
            x, m = x0[:, s : s + c["n"]], mean[:, s : s + c["n"]]  # (N, n)
            if c["kind"] == "integer":
                half = 0.5 / c["scale"]  # half a bin in the space
                a = torch.where(x <= -1 + half, -math.inf, (x - half - m) / std)
                b = torch.where(x >= 1 - half, math.inf, (x + half - m) / std)
                out += log_diff_ndtr(a, b)[:, 0]
            elif c["kind"] == "continuous":
                z = (x - m) / std
                out += (-0.5 * z**2 - 0.5 * math.log(2 * math.pi * var) - math.log(c["scale"]))[
                    :, 0
                ]
            else:  # corners e_c all have the same norm: the density at e_c ~ exp(<m, e_c>/var)
                logits = torch.log_softmax(2 * m / var, dim=1)  # (N, K)
                out += logits[torch.arange(len(x)), x.argmax(dim=1)]
        return out

    def affine(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(center, scale)`` ``(dim,)`` float64 with ``data = x * scale + center`` on numeric
        columns (a categorical column's dims get 0 and 1)."""
        numeric = [c["kind"] != "categorical" for c in self.columns]
        reps = [c["n"] for c in self.columns]
        center = [c["center"] if m else 0.0 for c, m in zip(self.columns, numeric, strict=True)]
        scale = [c["scale"] if m else 1.0 for c, m in zip(self.columns, numeric, strict=True)]
        return torch.as_tensor(np.repeat(center, reps)), torch.as_tensor(np.repeat(scale, reps))

    @property
    def all_integer(self) -> bool:
        """Whether every column is an integer grid (as the pixels of an image are)."""
        return all(c["kind"] == "integer" for c in self.columns)

    def grid_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The lowest and highest level ``(D,)`` of every integer column."""
        low = [math.ceil(c["center"] - c["scale"] - 1e-9) for c in self.columns]
        high = [math.floor(c["center"] + c["scale"] + 1e-9) for c in self.columns]
        return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)

    def net_mask(self, observed: np.ndarray) -> torch.Tensor:
        """Observed entries ``(N, D)`` bool -> observed dims ``(N, dim)`` bool."""
        reps = [c["n"] for c in self.columns]
        return torch.as_tensor(np.repeat(observed, reps, axis=1))
