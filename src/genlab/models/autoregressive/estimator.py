"""Any-order autoregressive model: exact likelihood, sampling and imputation for every pattern.

One network reads the observed entries of a row and says which of them are observed (the
input-mask trick of order-agnostic NADE: input ``x * m`` next to ``m``); it outputs, for every
column, the parameters of ``p(x_j | x_o)`` through per-column heads
(:class:`~genlab.nn.heads.ColumnHeads`: discretized logistic mixtures on integer grids,
softmax on categories, Gaussian mixtures on standardized continuous columns). Because every
conditional is a normalized distribution that sees only ``x_o``, the chain rule along any order
``sigma`` gives an exact likelihood

    ``log p_sigma(x) = sum_t log p(x_sigma(t) | x_sigma(<t))``

for every order at once. Training draws a random observed subset per row (a size ``d``
uniform in ``0..D-1``, then a uniform subset) and minimises
``D / (D - d) * sum_{j not in o} -log p(x_j | x_o)``, an unbiased estimate of the NLL averaged
over all orders (Uria et al., 2014); rows with missing entries draw their subsets among the
observed ones (so the model fits with missing values). With ``prefix_fraction > 0`` that share
of the rows is trained on prefixes of the default order instead, which spends capacity on the
order that ``log_prob`` evaluates first; every order stays exact whatever the training mix.
The loss is noisy (one random subset per row and epoch), so training keeps a moving average
of the weights (``ema_decay="auto"``); on digits it is worth about 0.1 bit per pixel.

* ``log_prob``: chain rule along the default order (columns, or pixels in raster order); with
  ``n_orders = K > 1`` the ensemble ``log (1/K) sum_k p_sigma_k(x)`` over the default order and
  K - 1 seeded random orders, itself an exact mixture likelihood. A row with missing entries
  gets the exact marginal of its observed entries under each order changed to visit them
  first (in that order's relative order): the integral of that order's joint
  (``log_prob_orders``) over the missing entries. The orders of an any-order model agree only
  approximately, so it is not the integral of the default order's joint. An integer value off
  its column's grid ``lo..hi`` (seen at fit) is rounded and clipped to it, as input and as
  outcome: an age above the oldest seen scores as the top edge bin, which holds the tail.
* ``sample`` / ``impute`` (``"sample"``): exact ancestral sampling of the missing columns one at
  a time, in default order, each conditioned on the observed entries and those drawn so far.
  ``"mean"`` is a Monte Carlo estimate of ``E[x_m | x_o]`` from ``n_mean_samples`` such paths,
  Rao-Blackwellized (each step adds the exact conditional mean of its column given the path so
  far, which makes the first missing column exact); categorical entries get the category of
  highest averaged conditional probability.
* :meth:`AutoregressiveModel.conditional_log_pmf` gives ``log p(x_j | x_o)`` over column
  ``j``'s grid for any observed set: the per-step distributions an entropy coder needs along
  a fixed order (see :meth:`AutoregressiveModel.log_prob_orders` for per-order likelihoods).

References:
    Uria, B., Murray, I. & Larochelle, H. (2014). A deep and tractable density estimator. ICML.
    Germain, M. et al. (2015). MADE: masked autoencoder for distribution estimation. ICML.
    Salimans, T. et al. (2017). PixelCNN++. ICLR (the discretized logistic mixture).

Example:
    >>> import genlab, numpy as np
    >>> ds = genlab.load_dataset("digits").subset(np.arange(200))
    >>> m = genlab.AutoregressiveModel(hidden_sizes=(32,), max_epochs=2, progress=False)
    >>> m = m.fit(ds)
    >>> m.sample(2, random_state=0).shape, bool(m.bits_per_dim(ds.X[:5]) < np.log2(17))
    ((2, 8, 8), True)
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import numpy as np
import torch
from scipy.special import logsumexp
from torch import nn
from torch.nn import functional as F

from genlab.core.errors import InputError
from genlab.models.neural import NeuralModel, fixed_chunks
from genlab.nn.heads import ColumnHeads
from genlab.train import TrainConfig

_ROW_BATCH = 2048  # rows per forward pass when evaluating or sampling
_VAL_SUBSETS = 4  # random observed subsets per validation row


class AnyOrderNet(nn.Module):
    """MLP from ``(x * m, m, class)`` to the head parameters of every column.

    Args:
        spec: the :class:`ColumnHeads` spec (one dict per column).
        hidden_sizes: widths of the hidden layers.
        n_classes: number of class labels (0: unconditional).
        dropout: dropout after every hidden layer.
    """

    def __init__(
        self, spec: list[dict], hidden_sizes: list[int], n_classes: int = 0, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.heads = ColumnHeads(spec)
        self.n_classes = n_classes
        # one input per numeric column (integers rescaled to about [-1, 1]), one-hot categories
        self._categorical = [s["kind"] == "categorical" for s in spec]
        self._one_hot_sizes = [s.get("n_categories", 1) for s in spec]
        centre = [sum(s["levels"]) / 2 if s["kind"] == "integer" else 0.0 for s in spec]
        half = [_half_width(s) for s in spec]
        self.register_buffer("_centre", torch.tensor(centre), persistent=False)
        self.register_buffer("_half", torch.tensor(half), persistent=False)
        # integer grids lo..hi (+-inf elsewhere): off-grid inputs are rounded and clipped, so
        # that the network conditions on the value the heads score (an edge bin for outliers)
        lo = [s["levels"][0] if s["kind"] == "integer" else -np.inf for s in spec]
        hi = [s["levels"][1] if s["kind"] == "integer" else np.inf for s in spec]
        self.register_buffer("_lo", torch.tensor(lo), persistent=False)
        self.register_buffer("_hi", torch.tensor(hi), persistent=False)
        integer = [s["kind"] == "integer" for s in spec]
        self.register_buffer("_integer", torch.tensor(integer), persistent=False)
        self._any_integer = any(integer)
        layers: list[nn.Module] = []
        width = sum(self._one_hot_sizes) + len(spec) + n_classes
        for h in hidden_sizes:
            layers += [nn.Linear(width, h), nn.GELU(), nn.Dropout(dropout)]
            width = h
        layers.append(nn.Linear(width, self.heads.n_params))
        self.net = nn.Sequential(*layers)

    def forward(
        self, x: torch.Tensor, observed: torch.Tensor, codes: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Head parameters ``(B, P)`` of ``p(x_j | x_o)`` for every column ``j``.

        Args:
            x: ``(B, D)`` values on the model's scale (entries not observed are ignored).
            observed: ``(B, D)`` bool, the entries the prediction may look at.
            codes: ``(B,)`` class codes when the network is class-conditional.
        """
        m = observed.to(x.dtype)
        x = torch.where(observed, x, torch.zeros_like(x))
        if self._any_integer:
            x = torch.where(self._integer, x.round(), x).clamp(
                self._lo.to(x.dtype), self._hi.to(x.dtype)
            )
        parts = []
        if any(self._categorical):
            for j, size in enumerate(self._one_hot_sizes):
                if self._categorical[j]:
                    one_hot = F.one_hot(x[:, j].long().clamp(0, size - 1), size)  # (B, C_j)
                    parts.append(one_hot.to(x.dtype) * m[:, j : j + 1])
                else:
                    parts.append(((x[:, j] - self._centre[j]) / self._half[j] * m[:, j])[:, None])
            features = torch.cat(parts, dim=1)
        else:
            features = (x - self._centre) / self._half * m  # (B, D)
        inputs = [features, m]
        if self.n_classes:
            inputs.append(F.one_hot(codes, self.n_classes).to(x.dtype))
        return self.net(torch.cat(inputs, dim=1))


def _half_width(s: dict) -> float:
    return max((s["levels"][1] - s["levels"][0]) / 2, 0.5) if s["kind"] == "integer" else 1.0


def random_observed(
    available: torch.Tensor, prefix_fraction: float = 0.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """A random observed subset of each row's ``available`` entries, ``(B, D)`` bool: its size
    uniform in ``0..n_available - 1``, the subset uniform (or, for a ``prefix_fraction`` of the
    rows, the first entries in column order).

    Example:
        >>> available = torch.tensor([[True, False, True]]).expand(100, 3)
        >>> observed = random_observed(available, generator=torch.Generator().manual_seed(0))
        >>> bool(observed[:, 1].any()), sorted(set(observed.sum(1).tolist()))
        (False, [0, 1])
    """
    B, D = available.shape
    keys = torch.rand(B, D, generator=generator, device=available.device)
    prefix = torch.rand(B, 1, generator=generator, device=available.device) < prefix_fraction
    keys = torch.where(prefix, torch.arange(D, device=available.device).expand(B, D) / D, keys)
    keys = keys.masked_fill(~available, 2.0)  # unavailable entries are never observed
    rank = keys.argsort(dim=1).argsort(dim=1)  # (B, D) position of each entry in the draw
    n_avail = available.sum(1, keepdim=True)
    size = (torch.rand(B, 1, generator=generator, device=available.device) * n_avail).long()
    return rank < size.clamp(max=n_avail - 1)


def order_agnostic_nll(
    module: nn.Module, batch: list[torch.Tensor], prefix_fraction: float = 0.0
) -> torch.Tensor:
    """Mean over rows of ``n_a / (n_a - d) * sum_{j in a, not in o} -log p(x_j | x_o)``.

    ``batch`` is ``[x, available]`` or ``[x, available, codes]``. In eval mode every row gets
    ``_VAL_SUBSETS`` subsets from a fixed seed, so that the validation loss of successive epochs
    is comparable and less noisy (early stopping reads it).
    """
    generator = None
    if not module.training:
        generator = torch.Generator(device=batch[0].device).manual_seed(len(batch[0]))
        batch = [t.repeat_interleave(_VAL_SUBSETS, 0) for t in batch]
    x, available = batch[0], batch[1]
    codes = batch[2] if len(batch) > 2 else None
    observed = random_observed(available, prefix_fraction, generator)
    params = module(x, observed, codes)
    target = available & ~observed
    base = module.module if hasattr(module, "module") else module  # DDP wraps the net
    lp = base.heads.log_prob(params, x)  # (B, D)
    n_avail = available.sum(1)
    weight = n_avail / (n_avail - observed.sum(1)).clamp_min(1)  # an empty row weighs nothing
    return -(weight * (lp * target).sum(1)).mean()


class AutoregressiveModel(NeuralModel):
    """Any-order autoregressive model over table columns or image pixels (module docstring).

    Args:
        hidden_sizes: widths of the MLP's hidden layers.
        n_components: mixture components per integer (discretized logistic) and continuous
            (Gaussian) column.
        dropout: dropout after every hidden layer (small data overfits fast).
        prefix_fraction: share of training rows whose observed set is a prefix of the default
            order rather than a uniform subset.
        n_orders: orders averaged by ``log_prob`` (1: the default order only).
        n_mean_samples: sampling paths averaged by ``impute(method="mean")``.
        ema_decay: decay of the moving average of the weights that training keeps, or
            ``"auto"``: ``1 - 10 / (max_epochs * steps per epoch)``, an average over about the
            last tenth of the planned steps (the order-agnostic loss is noisy).
        max_epochs, batch_size, lr, weight_decay, patience, max_time, device,
            checkpoint_dir, resume, progress: settings of :class:`~genlab.train.TrainConfig`.
        random_state: seed of the weights, the training subsets and the evaluation orders.
    """

    family = "autoregressive"
    capabilities = frozenset({"sample", "exact_likelihood", "impute", "conditional", "compress"})
    fits_missing = True

    train_defaults: ClassVar[dict[str, Any]] = {
        "max_epochs": 500,
        "weight_decay": 1e-4,
        "patience": 50,
        "ema_decay": "auto",
    }

    def __init__(
        self,
        *,
        hidden_sizes: tuple[int, ...] = (512, 512),
        n_components: int = 5,
        dropout: float = 0.0,
        prefix_fraction: float = 0.0,
        n_orders: int = 1,
        n_mean_samples: int = 32,
    ) -> None:
        self.hidden_sizes = hidden_sizes
        self.n_components = n_components
        self.dropout = dropout
        self.prefix_fraction = prefix_fraction
        self.n_orders = n_orders
        self.n_mean_samples = n_mean_samples

    # ================================================================== fit
    def _fit(self, A: np.ndarray, codes: np.ndarray | None) -> None:
        hidden_sizes = self._check_params()
        continuous = np.array([c.kind == "continuous" for c in self.schema_.columns])
        self.loc_ = np.where(continuous, np.nanmean(A, axis=0), 0.0)
        scale = np.where(continuous, np.nanstd(A, axis=0), 1.0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self.module_config_ = {
            "spec": ColumnHeads.spec_from_schema(self.schema_, int(self.n_components)),
            "hidden_sizes": hidden_sizes,
            "n_classes": 0 if self.classes_ is None else len(self.classes_),
            "dropout": float(self.dropout),
        }
        torch.manual_seed(0 if self.random_state is None else int(self.random_state))  # weights
        module = self._build_module(self.module_config_)
        Z, available = self._to_model_scale(A)
        tensors = [Z, available] + ([] if codes is None else [torch.as_tensor(codes)])
        fraction = float(self.prefix_fraction)

        def loss(net: nn.Module, batch: list[torch.Tensor]) -> torch.Tensor:
            return order_agnostic_nll(net, batch, fraction)

        self._train(module, loss, tensors, ema_decay=self._ema_decay(len(A)))

    def _ema_decay(self, n_rows: int) -> float | None:
        """The decay ``ema_decay`` asks for (``"auto"``: see the class docstring); 0 is None."""
        if self.ema_decay != "auto":
            return self.ema_decay
        steps = np.ceil(n_rows * (1 - TrainConfig.val_fraction) / self.batch_size)
        return float(np.clip(1 - 10 / (self.max_epochs * steps), 0.0, 0.9999)) or None

    def _check_params(self) -> list[int]:
        sizes = np.atleast_1d(np.asarray(self.hidden_sizes))
        if sizes.ndim != 1 or not np.issubdtype(sizes.dtype, np.integer) or (sizes < 1).any():
            raise InputError(f"hidden_sizes must be positive integers, got {self.hidden_sizes!r}")
        if int(self.n_components) < 1 or int(self.n_orders) < 1 or int(self.n_mean_samples) < 1:
            raise InputError("n_components, n_orders and n_mean_samples must be >= 1")
        if not 0 <= self.dropout < 1 or not 0 <= self.prefix_fraction <= 1:
            raise InputError("dropout must be in [0, 1) and prefix_fraction in [0, 1]")
        ema = self.ema_decay
        if not (ema is None or ema == "auto" or (isinstance(ema, float | int) and 0 <= ema < 1)):
            raise InputError(f"ema_decay must be 'auto', None or in [0, 1), got {self.ema_decay!r}")
        return [int(h) for h in sizes]

    @classmethod
    def _from_saved(cls, config: dict, arrays: dict[str, np.ndarray]) -> AutoregressiveModel:
        params = config["params"]
        params["hidden_sizes"] = tuple(params["hidden_sizes"])  # JSON made the tuple a list
        return super()._from_saved(config, arrays)

    def _build_module(self, config: dict) -> nn.Module:
        return AnyOrderNet(
            config["spec"], config["hidden_sizes"], config["n_classes"], config["dropout"]
        )

    def _extra_arrays(self) -> dict[str, np.ndarray]:
        return {"loc": self.loc_, "scale": self.scale_}

    def _load_extra_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.loc_, self.scale_ = arrays["loc"], arrays["scale"]

    def _to_model_scale(self, A: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """``(Z, available)``: continuous columns standardized, NaN set to 0, float32."""
        available = ~np.isnan(A)
        Z = np.where(available, (A - self.loc_) / self.scale_, 0.0)
        return torch.as_tensor(Z, dtype=torch.float32), torch.as_tensor(available)

    def _log_scale_jacobian(self, available: np.ndarray) -> np.ndarray:
        """``sum_j log scale_j`` over each row's observed continuous entries, ``(N,)``."""
        return (available * np.log(self.scale_)).sum(axis=1)

    # =========================================================== likelihood
    def _log_prob(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        per_order = self._log_prob_orders(A, codes, self._orders(int(self.n_orders)))
        return logsumexp(per_order, axis=1) - np.log(per_order.shape[1])

    def log_prob_orders(self, X: Any, orders: Any = None, condition: Any = None) -> np.ndarray:
        """Exact log-likelihood of each row under each order, nats, shape ``(N, K)``.

        Args:
            X: data, as for ``log_prob`` (NaN entries are marginalized: each row's observed
                entries are visited first, in the order's relative order).
            orders: an int K (the default order then K - 1 seeded random ones, as ``log_prob``
                with ``n_orders=K`` uses), or an array ``(K, D)`` of permutations of the
                columns; None uses ``n_orders``.
            condition: class labels, as for ``log_prob``.

        Example:
            >>> import genlab, numpy as np
            >>> X = np.random.default_rng(0).normal(size=(60, 3))
            >>> m = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=2, progress=False)
            >>> m.fit(X).log_prob_orders(X[:4], orders=[[0, 1, 2], [2, 1, 0]]).shape
            (4, 2)
        """
        self._require("exact_likelihood")
        A = self._encode(X)
        codes = self._encode_condition(condition, len(A))
        orders = self._as_orders(self.n_orders if orders is None else orders)
        if self.classes_ is None or codes is not None:
            return self._log_prob_orders(A, codes, orders)
        per_class = np.stack(
            [
                self._log_prob_orders(A, np.full(len(A), c), orders)
                for c in range(len(self.classes_))
            ]
        )  # (C, N, K)
        return logsumexp(per_class + self.class_log_prior_[:, None, None], axis=0)

    def _orders(self, n_orders: int) -> np.ndarray:
        """The default order, then ``n_orders - 1`` permutations seeded by ``random_state``."""
        D = self.n_features_in_
        rng = np.random.default_rng(0 if self.random_state is None else self.random_state)
        return np.stack([np.arange(D)] + [rng.permutation(D) for _ in range(n_orders - 1)])

    def _as_orders(self, orders: Any) -> np.ndarray:
        if isinstance(orders, int | np.integer):
            if orders < 1:
                raise InputError(f"orders must be >= 1, got {orders}")
            return self._orders(int(orders))
        orders = np.atleast_2d(np.asarray(orders))
        D = self.n_features_in_
        if (
            orders.ndim != 2
            or orders.shape[1] != D
            or not all(np.array_equal(np.sort(o), np.arange(D)) for o in orders)
        ):
            raise InputError(f"orders must be permutations of range({D}), shape (K, {D})")
        return orders.astype(np.int64)

    def _log_prob_orders(
        self, A: np.ndarray, codes: np.ndarray | None, orders: np.ndarray
    ) -> np.ndarray:
        Z, available = self._to_model_scale(A)
        codes_t = None if codes is None else torch.as_tensor(codes)
        n, k = len(A), len(orders)
        row_of = np.repeat(np.arange(n), k)  # every (row, order) pair is one row of a batch
        orders_t = torch.as_tensor(np.tile(orders, (n, 1)))  # (n * k, D)
        out = np.empty(n * k)
        for start in range(0, n * k, _ROW_BATCH):
            pairs = slice(start, start + _ROW_BATCH)
            r = row_of[pairs]
            c = None if codes_t is None else codes_t[r]
            out[pairs] = self._chain_rule(Z[r], available[r], c, orders_t[pairs])
        return out.reshape(n, k) - self._log_scale_jacobian(available.numpy())[:, None]

    @torch.no_grad()
    def _chain_rule(
        self,
        Z: torch.Tensor,
        available: torch.Tensor,
        codes: torch.Tensor | None,
        orders: torch.Tensor,
    ) -> np.ndarray:
        """``sum_t log p(x_seq(t) | x_seq(<t))`` over each row's available entries, ``(B,)``,
        visiting them in each row's order (``orders`` is ``(B, D)``)."""
        seq = visit_order(available, orders)  # (B, D)
        n_steps = available.sum(1)  # (B,)
        observed = torch.zeros_like(available)
        total = torch.zeros(len(Z), dtype=torch.float64)
        for t in range(int(n_steps.max()) if len(Z) else 0):
            rows = torch.nonzero(t < n_steps)[:, 0]  # rows with a t-th entry
            target = seq[rows, t]
            params = self.module_(Z[rows], observed[rows], None if codes is None else codes[rows])
            lp = self.module_.heads.log_prob(params.double(), Z[rows].double())  # (b, D)
            total[rows] += lp.gather(1, target[:, None])[:, 0]
            observed[rows, target] = True
        return total.numpy()

    # ====================================================== sample / impute
    def _sample(self, n: int, codes: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
        return self._impute(np.full((n, self.n_features_in_), np.nan), codes, rng, "sample")

    def _impute(
        self, A: np.ndarray, codes: np.ndarray | None, rng: np.random.Generator, method: str
    ) -> np.ndarray:
        Z, available = self._to_model_scale(A)
        repeats = int(self.n_mean_samples) if method == "mean" else 1
        if self.classes_ is not None and codes is None:  # each path draws c ~ p(c | x_o)
            codes = self._draw_classes(A, repeats, rng)
        elif codes is not None:
            codes = np.repeat(codes, repeats)
        codes_t = None if codes is None else torch.as_tensor(codes)
        generator = self._torch_rng(rng)
        step = max(1, _ROW_BATCH // repeats)
        out = np.empty(A.shape)
        for start in range(0, len(A), step):
            rows = slice(start, start + step)
            c = None if codes_t is None else codes_t[start * repeats : (start + step) * repeats]
            filled = self._fill(
                Z[rows].repeat_interleave(repeats, 0),
                available[rows].repeat_interleave(repeats, 0),
                c,
                generator,
                keep_means=method == "mean",
            )  # (b * repeats, D)
            out[rows] = self._average_paths(filled, repeats)
        return np.where(np.isnan(A), out * self.scale_ + self.loc_, A)

    def _draw_classes(self, A: np.ndarray, repeats: int, rng: np.random.Generator) -> np.ndarray:
        """``repeats`` classes per row from its posterior ``p(c | x_o)``, ``(N * repeats,)``."""
        log_joint = self.class_log_prior_ + np.stack(
            [self._log_prob(A, np.full(len(A), c)) for c in range(len(self.classes_))], axis=1
        )  # (N, C)
        post = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
        post = np.repeat(post, repeats, axis=0)
        return (post.cumsum(1) < rng.random((len(post), 1))).sum(1).clip(0, post.shape[1] - 1)

    @torch.no_grad()
    def _fill(
        self,
        Z: torch.Tensor,
        available: torch.Tensor,
        codes: torch.Tensor | None,
        generator: torch.Generator,
        keep_means: bool,
    ) -> dict[str, torch.Tensor]:
        """Draw the missing entries one at a time in default order (exact ancestral sampling).

        Returns ``{"draw": Z filled}``; with ``keep_means`` also ``"mean"`` (each missing
        entry's conditional mean given its path) and one ``"probs<j>"`` per categorical column.
        """
        heads = self.module_.heads
        missing = ~available
        seq = visit_order(missing, torch.arange(Z.shape[1]))  # missing columns first
        n_steps = missing.sum(1)
        Z, observed = Z.clone(), available.clone()
        means = Z.clone()
        categorical = [j for j, s in enumerate(heads.spec) if s["kind"] == "categorical"]
        probs = {j: torch.zeros(len(Z), heads.spec[j]["n_categories"]) for j in categorical}
        for t in range(int(n_steps.max()) if len(Z) else 0):
            rows = torch.nonzero(t < n_steps)[:, 0]
            target = seq[rows, t]
            params = self.module_(Z[rows], observed[rows], None if codes is None else codes[rows])
            draw = heads.sample(params, generator).gather(1, target[:, None])[:, 0]
            if keep_means:
                means[rows, target] = heads.mean(params).gather(1, target[:, None])[:, 0]
                for j in categorical:
                    at = target == j
                    probs[j][rows[at]] = heads.log_pmf(params[at], j).exp()
            Z[rows, target] = draw
            observed[rows, target] = True
        return {"draw": Z, "mean": means, **{f"probs{j}": p for j, p in probs.items()}}

    def _average_paths(self, filled: dict[str, torch.Tensor], repeats: int) -> np.ndarray:
        """One draw per row, or the Rao-Blackwellized mean over ``repeats`` paths per row."""
        if repeats == 1:
            return filled["draw"].double().numpy()
        out = filled["mean"].double().reshape(-1, repeats, filled["mean"].shape[1]).mean(1)
        for key, p in filled.items():
            if key.startswith("probs"):
                j = int(key[len("probs") :])
                out[:, j] = p.reshape(-1, repeats, p.shape[1]).mean(1).argmax(1).double()
        return out.numpy()

    # ===================================================== the conditionals
    def conditional_params(
        self, A: np.ndarray, observed: np.ndarray, codes: np.ndarray | None = None
    ) -> torch.Tensor:
        """Head parameters ``(N, P)`` of ``p(x_j | x_o)`` for every column ``j`` (read them with
        ``self.module_.heads``; continuous columns are on the scale ``(A - loc_) / scale_``).

        Args:
            A: encoded rows ``(N, D)``, ``schema_.encode(X)``; entries not observed are ignored.
            observed: ``(N, D)`` bool, the entries to condition on (none of them NaN).
            codes: class codes ``(N,)`` for a class-conditional model.
        """
        self._check_fitted()
        A = np.asarray(A, dtype=np.float64).reshape(-1, self.n_features_in_)
        observed = np.asarray(observed, dtype=bool)
        if observed.shape != A.shape:
            raise InputError(f"observed has shape {observed.shape}, A has {A.shape}")
        if np.isnan(A[observed]).any():
            raise InputError("an entry marked observed is NaN")
        if (self.classes_ is None) != (codes is None):
            raise InputError("codes are needed exactly when the model is class-conditional")
        Z, _ = self._to_model_scale(np.where(observed, A, np.nan))
        codes_t = None if codes is None else torch.as_tensor(np.asarray(codes, dtype=np.int64))
        with torch.no_grad():
            return self.module_(Z, torch.as_tensor(observed), codes_t)

    def conditional_log_pmf(
        self,
        A: np.ndarray,
        observed: np.ndarray,
        column: int,
        codes: np.ndarray | None = None,
    ) -> np.ndarray:
        """``log p(x_column = v | x_o)`` for every value ``v`` of a discrete column, ``(N, L)``:
        the grid ``lo..hi`` of an integer column or the C category codes.

        Along a fixed order ``sigma``, step ``t`` of an entropy coder uses
        ``conditional_log_pmf(A, observed=<columns sigma[:t]>, column=sigma[t])``; the sum of
        the steps' log-probabilities is ``log_prob_orders(X, [sigma])`` (up to float rounding).

        Example:
            >>> import genlab, numpy as np
            >>> ds = genlab.load_dataset("digits").subset(np.arange(100))
            >>> m = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=1, progress=False)
            >>> A = m.fit(ds).schema_.encode(ds.X[:3])
            >>> lp = m.conditional_log_pmf(A, np.zeros(A.shape, bool), column=0)
            >>> lp.shape, np.allclose(np.exp(lp).sum(1), 1.0)
            ((3, 17), True)
        """
        if not 0 <= int(column) < self.n_features_in_:
            raise InputError(f"column must be in 0..{self.n_features_in_ - 1}, got {column}")
        params = self.conditional_params(A, observed, codes)
        return self.module_.heads.log_pmf(params.double(), int(column)).numpy()

    @torch.no_grad()
    def coding_log_pmf(
        self,
        A: np.ndarray,
        observed: np.ndarray,
        target: np.ndarray,
        codes: np.ndarray | None = None,
        bins: dict[int, tuple[float, int, int]] | None = None,
    ) -> np.ndarray:
        """``log p(x_target[i] = v | x_o)`` per row ``i`` over its target column's grid, float64
        ``(N, L_max)`` (``L_max``: the largest grid of all columns, whatever the targets;
        entries past a column's grid are -inf).

        A continuous target column ``j`` needs ``bins[j] = (step, k_min, k_max)``: its grid is
        then ``k = k_min..k_max`` and entry ``k - k_min`` is the model's conditional mass of the
        bin ``[(k - 1/2) step, (k + 1/2) step]`` (CDF differences of the column's Gaussian
        mixture), the first and last bins also holding the tails below and above.

        Made for entropy coders, whose encoder and decoder must compute bit-identical tables:
        the network runs on fixed chunks of ``CODING_CHUNK`` rows (the last one padded), and
        so does every pmf (in float64), so a row's values do not depend on the rows it is
        batched with or on the thread count. Rows may have different targets (each its own
        order).

        Example:
            >>> import genlab, numpy as np
            >>> ds = genlab.load_dataset("digits").subset(np.arange(100))
            >>> m = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=1, progress=False)
            >>> A = m.fit(ds).schema_.encode(ds.X[:3])
            >>> lp = m.coding_log_pmf(A, np.zeros(A.shape, bool), np.array([0, 5, 9]))
            >>> lp.shape, np.allclose(np.exp(lp).sum(1), 1.0)
            ((3, 17), True)
            >>> w = genlab.load_dataset("wine").X.iloc[:40, :2].round(1)
            >>> m = genlab.AutoregressiveModel(hidden_sizes=(8,), max_epochs=1, progress=False)
            >>> A = m.fit(w).schema_.encode(w)
            >>> bins = {0: (0.1, 100, 160)}  # alcohol on a 0.1 grid: k = 100..160
            >>> lp = m.coding_log_pmf(A, np.zeros(A.shape, bool), np.zeros(40), bins=bins)
            >>> lp.shape, np.allclose(np.exp(lp).sum(1), 1.0)
            ((40, 61), True)
        """
        self._check_fitted()
        D = self.n_features_in_
        A = np.asarray(A, dtype=np.float64).reshape(-1, D)
        observed = np.asarray(observed, dtype=bool).reshape(A.shape)
        target = np.asarray(target, dtype=np.int64).reshape(-1)
        if len(target) != len(A) or (target < 0).any() or (target >= D).any():
            raise InputError(f"target must hold one column in 0..{D - 1} per row")
        if (self.classes_ is None) != (codes is None):
            raise InputError("codes are needed exactly when the model is class-conditional")
        heads = self.module_.heads
        bins = {int(j): (float(b[0]), int(b[1]), int(b[2])) for j, b in (bins or {}).items()}
        for j in np.unique(target):
            if heads.spec[j]["kind"] != "continuous":
                continue
            step, k_min, k_max = bins.get(int(j), (0.0, 0, -1))
            if not (np.isfinite(step) and step > 0 and k_min <= k_max):
                raise InputError(
                    f"column {j} is continuous: pass bins={{{j}: (step, k_min, k_max)}} with "
                    "step > 0 and k_min <= k_max"
                )
        Z = np.where(observed, (np.nan_to_num(A) - self.loc_) / self.scale_, 0.0)
        inputs = [torch.as_tensor(Z, dtype=torch.float32), torch.as_tensor(observed)]
        if codes is not None:
            inputs.append(torch.as_tensor(np.asarray(codes, dtype=np.int64)))
        params = fixed_chunks(self.module_.eval(), inputs).double()  # (N, P)
        sizes = [_grid_size(s, bins.get(j)) for j, s in enumerate(heads.spec)]
        out = np.full((len(A), max(sizes)), -np.inf)  # one width whatever the targets
        for j in np.unique(target):  # continuous columns: each its own bins
            if heads.spec[j]["kind"] != "continuous":
                continue
            step, k_min, k_max = bins[int(j)]
            k = np.arange(k_min, k_max + 2, dtype=np.float64) - 0.5  # bin edges, in steps
            edges = (k * step - self.loc_[j]) / self.scale_[j]
            edges[0], edges[-1] = -np.inf, np.inf
            rows = np.flatnonzero(target == j)
            single = ColumnHeads([heads.spec[j]])
            sliced = params[torch.as_tensor(rows), heads.offsets[j] : heads.offsets[j + 1]]
            fn = functools.partial(single.bin_log_pmf, column=0, edges=torch.as_tensor(edges))
            out[rows, : sizes[j]] = fixed_chunks(fn, [sliced]).numpy()
        # columns of one spec share a pmf: group the rows by the first column of their spec
        first: dict[str, int] = {}
        same_as = np.array(
            [first.setdefault(repr(sorted(s.items())), j) for j, s in enumerate(heads.spec)]
        )
        discrete = np.array([s["kind"] != "continuous" for s in heads.spec])
        for j0 in np.unique(same_as[target[discrete[target]]]):
            rows = np.flatnonzero(same_as[target] == j0)
            single = ColumnHeads([heads.spec[j0]])
            index = np.asarray(heads.offsets)[target[rows], None] + np.arange(
                heads.n_params_per_column[j0]
            )  # (b, P_j) each row's slice of its target column
            sliced = params[torch.as_tensor(rows)[:, None], torch.as_tensor(index)]
            pmf = fixed_chunks(functools.partial(single.log_pmf, column=0), [sliced])
            out[rows, : sizes[j0]] = pmf.numpy()
        return out


def _grid_size(spec: dict, bins: tuple[float, int, int] | None) -> int:
    """Number of values ``coding_log_pmf`` gives a column with ``spec`` (0: no grid)."""
    if spec["kind"] == "continuous":
        return 0 if bins is None else bins[2] - bins[1] + 1
    return spec.get("n_categories") or spec["levels"][1] - spec["levels"][0] + 1


def visit_order(first: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """Per row, the columns where ``first`` is True in ``order``'s sequence, then the others
    (also in that sequence), ``(B, D)`` long; ``order`` is ``(D,)`` or one per row ``(B, D)``.

    Example:
        >>> visit_order(torch.tensor([[False, True, False, True]]), torch.arange(4)).tolist()
        [[1, 3, 0, 2]]
    """
    B, D = first.shape
    order = order.expand(B, D)
    rank = torch.empty_like(order).scatter_(1, order, torch.arange(D).expand(B, D))
    keys = rank + D * (~first).long()  # (B, D)
    return keys.argsort(dim=1, stable=True)
