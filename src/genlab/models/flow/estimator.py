"""Normalizing flows built on zuko: exact likelihood, latent codes, importance-sampled imputation.

The density of the numeric columns is ``p(x | c) = p_base(f_c(W(x))) |det J_f| |det W|`` where

* ``W(x) = L^{-1} (x - mu)`` is a fixed affine map from a Gaussian fitted to the training data
  (per class when fitted with labels; Ledoit–Wolf-shrunk covariance, or per-column scaling with
  ``whiten=False``). Its log-Jacobian is part of ``log_prob``, so likelihoods are in the
  user's units;
* ``f_c`` is a zuko transform (``kind="nsf"``: rational-quadratic splines, ``"maf"``: affine
  autoregressive; the transforms of :class:`zuko.flows.NSF` / :class:`zuko.flows.MAF`) whose
  output layers start at zero, so it starts as the identity. ``c`` is the zuko ``context``:
  the one-hot class label (``fit(X, y)``) and the one-hot categorical columns;
* ``p_base`` is a trainable mixture of full-covariance Student-t components (``tails``),
  started from a Gaussian mixture of the whitened data whose number of components is chosen
  by 5-fold held-out likelihood (``base_components``).

So an untrained flow is a (shrunk, heavy-tailed) Gaussian mixture (:mod:`.start`), and training
adds only the structure that the validation split supports (early stopping with the best
weights kept). Input noise (``noise_std``) and weight decay regularize it further on small
tables. Heavy tails bound the cost of a held-out row far from the training data, which a
Gaussian base charges quadratically in its distance. ``tools/choose_flow.py`` checks these
defaults against one change at a time on validation splits of the *training* rows.

Categorical columns are modelled exactly, not dequantized: ``p(x) = p(c) p(x_num | c)`` with
``p(c)`` the smoothed joint table of the category combinations per class (:mod:`.table`),
which suits a few categorical columns; with many, prefer GaussianMixture or
AutoregressiveModel. Integer columns are dequantized (uniform noise while training) and
``log_prob`` reports ``E_u log p(x + u)``, a stated lower bound
(:mod:`genlab.nn.dequantize`, ``likelihood_is_bound``).

A flow cannot integrate out missing numeric entries in closed form, so ``log_prob`` refuses
them; :meth:`Flow.log_prob_estimate` gives an importance-sampling estimate instead (missing
categorical entries are summed out exactly). ``impute`` is sampling importance resampling
over ``n_particles`` completions of each row (:mod:`.impute`).

References:
    Papamakarios, G. et al. (2017). Masked Autoregressive Flow for Density Estimation.
    Jaini, P. et al. (2020). Tails of Lipschitz Triangular Flows.
    Durkan, C. et al. (2019). Neural Spline Flows.
    Rozet, F. et al. zuko: normalizing flows in PyTorch. https://github.com/probabilists/zuko

Example:
    >>> import genlab
    >>> ds = genlab.load_dataset("iris")
    >>> tiny = dict(transforms=1, hidden_features=8, base_components=1, progress=False)
    >>> flow = genlab.Flow(max_epochs=5, **tiny)
    >>> flow = flow.fit(ds.flat())
    >>> Z = flow.encode(ds.flat()[:3])
    >>> bool(abs(flow.decode(Z) - ds.flat()[:3]).max() < 1e-4), Z.shape
    (True, (3, 4))
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from scipy.special import logsumexp
from sklearn.mixture import GaussianMixture
from torch import nn

from genlab.core.checks import check_value_range
from genlab.core.errors import InputError
from genlab.models.flow.impute import ImportanceSampler
from genlab.models.flow.latents import FlowLatents
from genlab.models.flow.network import KINDS, TAILS, FlowNetwork, hidden_layers, log_density
from genlab.models.flow.start import (
    fit_base_mixture,
    fit_gaussians,
    set_affine,
    set_base,
    whiten_rows,
)
from genlab.models.flow.table import CategoryTable, flow_state_columns
from genlab.models.neural import NeuralModel
from genlab.nn.context import ClassContext
from genlab.nn.dequantize import dequantized_log_prob

#: Largest magnitude Flow fits on: it trains in float32 (max 3.4e38) on the user's units.
_FLOAT32_SAFE = 1e30


class Flow(FlowLatents, NeuralModel):
    """Normalizing flow (zuko NSF or MAF) for tables and images (see module docstring).

    Args:
        kind: ``"nsf"`` (neural spline flow) or ``"maf"`` (masked autoregressive flow).
        transforms: number of autoregressive transforms.
        hidden_features: width of the two hidden layers of each transform's network, or a
            list of widths.
        bins: spline bins (``kind="nsf"``).
        passes: ``None`` for fully autoregressive transforms, 2 for coupling (faster
            sampling and decoding in many dimensions).
        whiten: start from a full-covariance Gaussian (True) or a diagonal one (False).
        tails: components of the base mixture: ``"student"`` (multivariate Student-t with a
            learned degrees of freedom each, starting near the Gaussian at 30) or
            ``"gaussian"``. Heavy tails bound the cost of held-out outliers.
        base_components: components of the base mixture; ``None`` chooses 1..5 by 5-fold
            held-out likelihood of a Gaussian mixture of the whitened training data.
        noise_std: std of Gaussian noise added to training inputs, in whitened units
            (a smoothing regularizer, like a kernel bandwidth).
        n_particles: importance-sampling particles per row for ``impute`` and
            ``log_prob_estimate``.
        categorical_smoothing: weight of the uniform distribution in the categorical table;
            ``None`` is add-one smoothing, ``K / (N + K)`` for ``K`` combinations.
        n_dequantize: offsets used to estimate the dequantized bound on integer columns.

    Training settings: see :class:`genlab.TrainConfig` (``random_state`` also seeds the
    weights, the base mixture's start, the validation split, shuffling and noise).
    """

    family = "flow"
    capabilities = frozenset({"sample", "exact_likelihood", "impute", "latent", "conditional"})
    #: Untrained, a flow is its base mixture fitted to the data: usable, so max_epochs=0 is.
    min_epochs: ClassVar[int] = 0

    train_defaults: ClassVar[dict[str, Any]] = {
        "max_epochs": 1000,
        "batch_size": 64,
        "weight_decay": 1e-4,
        "patience": 30,
    }

    def __init__(
        self,
        *,
        kind: str = "nsf",
        transforms: int = 3,
        hidden_features: int | list[int] = 64,
        bins: int = 8,
        passes: int | None = None,
        whiten: bool = True,
        tails: str = "student",
        base_components: int | None = None,
        noise_std: float = 0.1,
        n_particles: int = 512,
        categorical_smoothing: float | None = None,
        n_dequantize: int = 8,
    ) -> None:
        self.kind = kind
        self.transforms = transforms
        self.hidden_features = hidden_features
        self.bins = bins
        self.passes = passes
        self.whiten = whiten
        self.tails = tails
        self.base_components = base_components
        self.noise_std = noise_std
        self.n_particles = n_particles
        self.categorical_smoothing = categorical_smoothing
        self.n_dequantize = n_dequantize

    # ================================================================== fit
    def _fit(self, A: np.ndarray, codes: np.ndarray | None) -> None:
        self._split_columns()
        self._check_params()
        check_value_range(
            A, self.schema_.names, self.numeric_, _FLOAT32_SAFE, "Flow trains in float32"
        )
        X = A[:, self.numeric_]  # (N, Dn)
        cats = A[:, self.categorical_].astype(np.int64)  # (N, Dc)
        n_groups = 1 if self.classes_ is None else len(self.classes_)
        self.table_ = CategoryTable.fit(
            cats, codes, n_groups, self.n_categories_, self.categorical_smoothing
        )
        rng = np.random.default_rng(self.random_state)
        X_deq = X + self.dequantized_ * rng.uniform(-0.5, 0.5, X.shape)  # for the start only
        loc, tril = fit_gaussians(X_deq, codes, n_groups, self.whiten)
        base = fit_base_mixture(whiten_rows(X_deq, codes, loc, tril), self.base_components, rng)
        self.module_config_ = self._network_config(X.shape[1], base)
        with torch.random.fork_rng():  # seeded weight init without touching the caller's RNG
            torch.manual_seed(0 if self.random_state is None else int(self.random_state))
            module = self._build_module(self.module_config_)
        set_affine(module, loc, tril)
        set_base(module, base)
        tensors = [torch.as_tensor(X, dtype=torch.float32)]
        context = self._context(cats, codes)
        if context is not None:
            tensors.append(torch.as_tensor(context, dtype=torch.float32))
        self._train(module.float(), self._loss_fn(tril), tensors)
        self.module_ = self.module_.double()  # inference in float64: tight encode/decode
        set_affine(self.module_, loc, tril)

    def _network_config(self, features: int, base: GaussianMixture) -> dict[str, Any]:
        """The JSON-able arguments of :class:`FlowNetwork` (saved with the model)."""
        return {
            "features": int(features),
            "context": self._n_context(),
            "classes": 0 if self.classes_ is None else len(self.classes_),
            "kind": self.kind,
            "transforms": int(self.transforms),
            "hidden": hidden_layers(self.hidden_features),
            "bins": int(self.bins),
            "passes": None if self.passes is None else int(self.passes),
            "tails": self.tails,
            "components": int(base.n_components),
        }

    def _loss_fn(self, tril: np.ndarray) -> Any:
        """Mean NLL of a batch, dequantizing integer columns and adding input noise."""
        dequantized = torch.as_tensor(self.dequantized_, dtype=torch.float32)  # (Dn,)
        noise = torch.as_tensor(self.noise_std * tril, dtype=torch.float32)  # (G, Dn, Dn)
        n_classes = 0 if self.classes_ is None else len(self.classes_)

        def loss(module: nn.Module, batch: list[torch.Tensor]) -> torch.Tensor:
            x = batch[0] + dequantized.to(batch[0]) * (torch.rand_like(batch[0]) - 0.5)
            c = batch[1] if len(batch) > 1 else None
            if self.noise_std > 0 and module.training:  # validation loss stays noise-free
                g = c[:, :n_classes].argmax(dim=1) if n_classes else torch.zeros_like(x[:, 0])
                x = x + torch.einsum("bij,bj->bi", noise.to(x)[g.long()], torch.randn_like(x))
            return -module(x, c).mean()

        return loss

    # =========================================================== likelihood
    def _log_prob(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        X = A[:, self.numeric_]
        if np.isnan(X).any():
            r, c = np.argwhere(np.isnan(X))[0]
            name = self.schema_.names[int(np.flatnonzero(self.numeric_)[c])]
            raise InputError(
                f"X has a missing value at row {r}, column {name!r}: a flow cannot integrate "
                "out missing numeric entries exactly. Use Flow.log_prob_estimate(X) for an "
                "importance-sampling estimate, impute them first, or use GaussianMixture or "
                "KDE, which marginalize exactly."
            )
        groups = np.zeros(len(A), np.int64) if codes is None else codes
        cats = A[:, self.categorical_]
        out = np.empty(len(A))
        patterns, inverse = np.unique(np.isnan(cats), axis=0, return_inverse=True)
        for k, missing in enumerate(patterns):
            rows = np.flatnonzero(inverse.reshape(-1) == k)
            out[rows] = self._log_prob_summing(X[rows], cats[rows], groups[rows], missing)
        return out

    def _log_prob_summing(
        self, X: np.ndarray, cats: np.ndarray, groups: np.ndarray, missing: np.ndarray
    ) -> np.ndarray:
        """log p(x, c_o) for rows sharing one pattern of missing categories, summed exactly."""
        if not missing.any():
            return self._log_joint(X, cats, groups)
        full, k = self.table_.completions(cats, missing)  # (n K, Dc)
        log_joint = self._log_joint(np.repeat(X, k, axis=0), full, np.repeat(groups, k))
        return logsumexp(log_joint.reshape(len(X), k), axis=1)

    def _log_joint(self, X: np.ndarray, cats: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """log p(c | class) + log p(x | c, class) of complete rows (the bound on integers)."""
        context = self._context(cats, groups if self.classes_ is not None else None)
        columns = np.flatnonzero(self.dequantized_)
        return self.table_.log_prob(cats, groups) + dequantized_log_prob(
            lambda B: log_density(self.module_, B, context), X, columns, self.n_dequantize
        )

    def log_prob_estimate(
        self,
        X: Any,
        condition: Any = None,
        *,
        n_particles: int | None = None,
        random_state: Any = None,
    ) -> np.ndarray:
        """``log p(x_o)`` per row with missing numeric entries integrated out by importance
        sampling: an *estimate* (consistent; ``E[exp(estimate)]`` is exact, so the log is
        biased low by about ``Var(w) / (2 P E[w]^2)`` for ``P`` particles). Complete rows get
        ``log_prob``.

        For integer columns the estimate is of the probability of the observed grid cells,
        not the dequantized bound.

        Example:
            >>> import numpy as np, genlab
            >>> X = genlab.load_dataset("iris").flat()
            >>> tiny = dict(transforms=1, hidden_features=8, base_components=1, progress=False)
            >>> flow = genlab.Flow(max_epochs=3, **tiny)
            >>> holes = X[:2].copy(); holes[0, 1] = np.nan
            >>> est = flow.fit(X).log_prob_estimate(holes, random_state=0)
            >>> bool(np.isfinite(est).all()), bool(est[1] == flow.log_prob(X[1:2])[0])
            (True, True)
        """
        self._require("exact_likelihood")
        A = self._encode(X)
        codes = self._encode_condition(condition, len(A))
        rng = np.random.default_rng(random_state)
        out = np.empty(len(A))
        holes = np.isnan(A[:, self.numeric_]).any(axis=1)
        done = np.flatnonzero(~holes)
        if len(done):
            sub = None if codes is None else codes[done]
            marginal = self.classes_ is not None and codes is None
            out[done] = (
                self._log_prob_marginal(A[done]) if marginal else self._log_prob(A[done], sub)
            )
        rows = np.flatnonzero(holes)
        out[rows] = self._sampler().log_marginal(
            A[rows],
            None if codes is None else codes[rows],
            rng,
            int(n_particles or self.n_particles),
        )
        return out

    # ====================================================== sample, impute
    def _sample(self, n: int, codes: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
        groups = np.zeros(n, np.int64) if codes is None else codes
        cats, _ = self.table_.draw(np.full(len(self.n_categories_), np.nan), groups, rng)
        z = self.module_.sample_base(n, rng)  # (n, Dn)
        out = np.empty((n, self.schema_.n_columns))
        out[:, self.numeric_] = self._decode_latent(z, self._context(cats, codes))
        out[:, self.categorical_] = cats
        return out

    def _impute(
        self, A: np.ndarray, codes: np.ndarray | None, rng: np.random.Generator, method: str
    ) -> np.ndarray:
        return self._sampler().impute(A, codes, rng, method, int(self.n_particles))

    def _sampler(self) -> ImportanceSampler:
        return ImportanceSampler(
            numeric=self.numeric_,
            dequantized=self.dequantized_,
            table=self.table_,
            loc=self.module_.loc.numpy(),
            scale_tril=self.module_.scale_tril.numpy(),
            class_log_prior=None if self.classes_ is None else self.class_log_prior_,
            flow_log_density=lambda X, cats, codes: log_density(
                self.module_, X, self._context(cats, codes)
            ),
        )

    # ============================================================ helpers
    def _split_columns(self) -> None:
        self._set_column_groups()
        if not self.numeric_.any():
            raise InputError(
                "Flow needs at least one numeric column; for all-categorical data use "
                "GaussianMixture or AutoregressiveModel"
            )

    def _check_params(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.tails not in TAILS:
            raise InputError(f"tails must be one of {TAILS}, got {self.tails!r}")
        checks = {
            "transforms": self.transforms >= 1,
            "bins": self.bins >= 2,
            "passes": self.passes is None or self.passes >= 1,
            "noise_std": self.noise_std >= 0,
            "n_particles": self.n_particles >= 1,
            "base_components": self.base_components is None or self.base_components >= 1,
            "n_dequantize": self.n_dequantize >= 1,
            "categorical_smoothing": self.categorical_smoothing is None
            or 0 <= self.categorical_smoothing < 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise InputError(f"{name}={getattr(self, name)!r} is out of range")
        hidden_layers(self.hidden_features)

    def _n_context(self) -> int:
        n_classes = 0 if self.classes_ is None else len(self.classes_)
        return n_classes + int(self.n_categories_.sum())

    def _context(self, cats: np.ndarray, codes: np.ndarray | None) -> np.ndarray | None:
        """One-hot class and categories, the zuko ``context`` (N, K); None when K = 0."""
        parts = [] if self.classes_ is None else [_one_hot_classes(codes, len(self.classes_))]
        parts += [np.eye(C)[cats[:, j].astype(int)] for j, C in enumerate(self.n_categories_)]
        return np.concatenate(parts, axis=1) if parts else None

    def _dequantizes(self) -> bool:
        return bool(self.dequantized_.any())

    def _build_module(self, config: dict) -> nn.Module:
        return FlowNetwork(**config).double()

    def _extra_arrays(self) -> dict[str, np.ndarray]:
        return {
            "table_combos": self.table_.combos,
            "table_counts": self.table_.counts,
            "table_smoothing": self.table_.smoothing,
        }

    def _load_extra_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self._split_columns()
        self.table_ = CategoryTable(
            arrays["table_combos"],
            arrays["table_counts"],
            arrays["table_smoothing"],
            self.n_categories_,
        )

    @classmethod
    def _state_columns(cls, config: dict, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        return flow_state_columns(config, arrays)


def _one_hot_classes(codes: np.ndarray, n_classes: int) -> np.ndarray:
    """Class codes (N,) as float64 one-hot rows (N, C), the head of the context."""
    return ClassContext(n_classes)(torch.as_tensor(codes), torch.float64).numpy()
