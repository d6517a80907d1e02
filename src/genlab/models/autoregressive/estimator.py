"""Any-order autoregressive model: exact likelihood, sampling and imputation for every pattern.

One network (:class:`~genlab.models.autoregressive.network.AnyOrderNet`) reads the observed
entries of a row and says which of them are observed; it outputs, for every column, the
parameters of ``p(x_j | x_o)`` through per-column heads (:class:`~genlab.nn.heads.ColumnHeads`:
discretized logistic mixtures on integer grids, softmax on categories, Gaussian mixtures on
standardized continuous columns). Because every conditional is a normalized distribution that
sees only ``x_o``, the chain rule along any order ``sigma`` gives an exact likelihood

    ``log p_sigma(x) = sum_t log p(x_sigma(t) | x_sigma(<t))``

for every order at once. Training draws a random observed subset per row (a size ``d``
uniform in ``0..D-1``, then a uniform subset) and minimises
``D / (D - d) * sum_{j not in o} -log p(x_j | x_o)``, an unbiased estimate of the NLL averaged
over all orders (Uria et al., 2014); rows with missing entries draw their subsets among the
observed ones (so the model fits with missing values). With ``prefix_fraction > 0`` that share
of the rows is trained on prefixes of the default order instead, which spends capacity on the
order that ``log_prob`` evaluates first; every order stays exact whatever the training mix.
The loss is noisy (one random subset per row and epoch), so training keeps a moving average
of the weights (``ema_decay="auto"``), which smooths that noise out of the final weights.

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
* Probability tables for any observed set, what an entropy coder needs along an order:
  :meth:`~AutoregressiveModel.conditional_params` (every column's head parameters, on fixed
  chunks of rows) read by :meth:`~AutoregressiveModel.column_log_pmf` (one column's log-pmf
  over its grid, or over stated bins of a continuous column).

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

from genlab.core.errors import InputError
from genlab.models.autoregressive.network import AnyOrderNet, order_agnostic_nll
from genlab.models.autoregressive.paths import (
    ancestral_fill,
    average_paths,
    chain_log_prob,
    check_orders,
    seeded_orders,
)
from genlab.models.neural import NeuralModel, fixed_chunks
from genlab.nn.heads import ColumnHeads
from genlab.nn.sampling import draw_categorical
from genlab.train import TrainConfig

_ROW_BATCH = 2048  # rows per forward pass when evaluating or sampling


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
    heads_config_key: ClassVar[str] = "spec"

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
        if self.loc_.shape != (self.schema_.n_columns,) or self.scale_.shape != self.loc_.shape:
            raise ValueError("loc/scale do not match the schema's columns")

    def _to_model_scale(self, A: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """``(Z, available)``: continuous columns standardized, NaN set to 0, float32."""
        available = ~np.isnan(A)
        Z = np.where(available, (A - self.loc_) / self.scale_, 0.0)
        return torch.as_tensor(Z, dtype=torch.float32), torch.as_tensor(available)

    # =========================================================== likelihood
    def _log_prob(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        per_order = self._log_prob_orders(A, codes, self._as_orders(int(self.n_orders)))
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
        classes = range(len(self.classes_))
        lp = [self._log_prob_orders(A, np.full(len(A), c), orders) for c in classes]
        per_class = np.stack(lp)  # (C, N, K)
        return logsumexp(per_class + self.class_log_prior_[:, None, None], axis=0)

    def _as_orders(self, orders: Any) -> np.ndarray:
        """An int K: the default order then K - 1 permutations seeded by ``random_state``;
        else checked permutations ``(K, D)``."""
        if isinstance(orders, int | np.integer):
            if orders < 1:
                raise InputError(f"orders must be >= 1, got {orders}")
            return seeded_orders(self.n_features_in_, int(orders), self.random_state)
        return check_orders(orders, self.n_features_in_)

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
            out[pairs] = chain_log_prob(self.module_, Z[r], available[r], c, orders_t[pairs])
        # continuous columns were standardized: the Jacobian sum_j log scale_j of each row
        jacobian = (available.numpy() * np.log(self.scale_)).sum(axis=1)
        return out.reshape(n, k) - jacobian[:, None]

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
            filled = ancestral_fill(
                self.module_,
                Z[rows].repeat_interleave(repeats, 0),
                available[rows].repeat_interleave(repeats, 0),
                c,
                generator,
                keep_means=method == "mean",
            )  # (b * repeats, D)
            out[rows] = average_paths(filled, repeats)
        return np.where(np.isnan(A), out * self.scale_ + self.loc_, A)

    def _draw_classes(self, A: np.ndarray, repeats: int, rng: np.random.Generator) -> np.ndarray:
        """``repeats`` classes per row from its posterior ``p(c | x_o)``, ``(N * repeats,)``."""
        log_joint = self.class_log_prior_ + np.stack(
            [self._log_prob(A, np.full(len(A), c)) for c in range(len(self.classes_))], axis=1
        )  # (N, C)
        post = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
        return draw_categorical(np.repeat(post, repeats, axis=0), rng)

    # ================================================ the probability tables
    def conditional_params(
        self, A: np.ndarray, observed: np.ndarray, codes: np.ndarray | None = None
    ) -> torch.Tensor:
        """Head parameters ``(N, P)`` (float32) of ``p(x_j | x_o)`` for every column ``j``; read
        them with :meth:`column_log_pmf`.

        The network runs on fixed chunks of ``CODING_CHUNK`` rows (the last one padded), so a
        row's parameters do not depend on the rows it is batched with: what entropy coders
        need, whose encoder and decoder must build bit-identical tables.

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
        inputs = [Z, torch.as_tensor(observed)]
        if codes is not None:
            inputs.append(torch.as_tensor(np.asarray(codes, dtype=np.int64)))
        return fixed_chunks(self.module_.eval(), inputs)

    def column_log_pmf(
        self, params: torch.Tensor, column: int, *, edges: np.ndarray | None = None
    ) -> np.ndarray:
        """``log p(x_column = v | x_o)`` for every value ``v`` of ``column``'s grid, float64
        ``(N, L)``, from rows ``params (N, P)`` of :meth:`conditional_params`.

        The grid is ``lo..hi`` of an integer column, the C category codes of a categorical one,
        or for a continuous column the ``L`` bins between ``edges (L + 1,)`` (increasing, on
        the encoded scale; the first may be ``-inf`` and the last ``+inf``, edge bins that
        hold the tails), whose masses are CDF differences of the column's Gaussian mixture.
        Computed in float64 on fixed chunks of ``CODING_CHUNK`` rows, as the parameters.

        Example:
            >>> import genlab, numpy as np
            >>> w = genlab.load_dataset("wine").X.iloc[:40, :2]
            >>> m = genlab.AutoregressiveModel(hidden_sizes=(8,), max_epochs=1, progress=False)
            >>> A = m.fit(w).schema_.encode(w)
            >>> params = m.conditional_params(A, np.zeros(A.shape, bool))
            >>> edges = np.array([-np.inf, 12.0, 13.0, 14.0, np.inf])  # alcohol: 4 bins
            >>> lp = m.column_log_pmf(params, 0, edges=edges)
            >>> lp.shape, np.allclose(np.exp(lp).sum(1), 1.0)
            ((40, 4), True)
        """
        self._check_fitted()
        if not 0 <= int(column) < self.n_features_in_:
            raise InputError(f"column must be in 0..{self.n_features_in_ - 1}, got {column}")
        j = int(column)
        heads = self.module_.heads
        single = ColumnHeads([heads.spec[j]])
        sliced = params[:, heads.offsets[j] : heads.offsets[j + 1]].double()  # (N, P_j)
        if heads.spec[j]["kind"] != "continuous":
            if edges is not None:
                raise InputError(f"column {j} is discrete: its grid has no edges")
            return fixed_chunks(functools.partial(single.log_pmf, column=0), [sliced]).numpy()
        if edges is None:
            raise InputError(f"column {j} is continuous: pass the edges of its bins")
        scaled = (np.asarray(edges, dtype=np.float64) - self.loc_[j]) / self.scale_[j]
        fn = functools.partial(single.bin_log_pmf, column=0, edges=torch.as_tensor(scaled))
        return fixed_chunks(fn, [sliced]).numpy()

    def conditional_log_pmf(
        self,
        A: np.ndarray,
        observed: np.ndarray,
        column: int,
        codes: np.ndarray | None = None,
        *,
        edges: np.ndarray | None = None,
    ) -> np.ndarray:
        """``log p(x_column = v | x_o)`` for every value ``v`` of ``column``'s grid, ``(N, L)``:
        :meth:`column_log_pmf` of :meth:`conditional_params` (``edges``: the bins of a
        continuous column).

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
        params = self.conditional_params(A, observed, codes)
        return self.column_log_pmf(params, column, edges=edges)
