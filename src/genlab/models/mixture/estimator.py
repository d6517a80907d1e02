"""Gaussian mixture for mixed tables, fitted by EM even when entries are missing.

Within a component, numeric columns are jointly Gaussian (full or diagonal covariance) and each
categorical column is an independent categorical, so mixed tables are modelled on their own
terms. EM runs over the observed entries only (:mod:`genlab.models.mixture.em`), which
scikit-learn's ``GaussianMixture`` cannot do, with a conjugate prior on the covariances (a MAP
estimate, as in mclust) so that components cannot collapse. The number of components is chosen
by 5-fold held-out likelihood (or by BIC) when not given. Conditionals of a mixture are
mixtures, so ``impute`` draws from the exact p(x_m | x_o). Labels given to ``fit(X, y)`` fit
one mixture per class.

Integer columns are dequantized (see :mod:`genlab.nn.dequantize`); ``log_prob`` then
reports the dequantized lower bound on the log-probability of the integers.

Example:
    >>> import numpy as np, genlab
    >>> ds = genlab.load_dataset("wine")
    >>> gmm = genlab.GaussianMixture(max_components=3).fit(ds.X, ds.y)
    >>> holes = ds.X.head(3).copy(); holes.iloc[0, 0] = np.nan
    >>> filled = gmm.impute(holes, random_state=0)
    >>> bool(filled.notna().all().all()), bool((filled.iloc[1:] == holes.iloc[1:]).all().all())
    (True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.core.errors import InputError
from genlab.core.model import GenerativeModel, class_groups
from genlab.models.mixture import inference
from genlab.models.mixture.em import fit_em
from genlab.models.mixture.options import COVARIANCE_TYPES
from genlab.models.mixture.params import MixtureParams
from genlab.models.mixture.select import cross_validated_scores, select_n_components
from genlab.nn.dequantize import dequantize, dequantized_log_prob


class GaussianMixture(GenerativeModel):
    """Mixture of (Gaussian x categorical) components, EM with missing values; the number of
    components by 5-fold held-out likelihood (default) or BIC.

    Args:
        n_components: number of components; ``None`` chooses 1..``max_components``.
        max_components: largest number of components tried.
        selection: how ``n_components=None`` chooses: ``"cv"`` (best 5-fold held-out
            log-likelihood; the default, as the likelihood of unseen rows is what a density
            is for) or ``"bic"`` (the Bayesian information criterion on the training data; one
            fit per candidate instead of six).
        prior: conjugate (normal-inverse-Wishart) prior on the covariances, as in mclust
            (Fraley & Raftery, 2007): ``True`` adds ``D + 2`` pseudo-rows of the pooled data
            covariance to every component, a number scales that, ``False`` is plain maximum
            likelihood. It keeps components from collapsing onto a few points. The default
            weight is the choice of ``tools/choose_gmm_prior.py`` (training data only).
        covariance_type: ``"full"`` or ``"diag"``.
        n_factors: ``q`` restricts every full covariance to ``W Wᵀ + σ² I`` with ``W`` of rank
            ``q`` (a mixture of probabilistic PCA, Tipping & Bishop 1999; in standardized
            units): far fewer parameters where the columns lie near a low-dimensional
            subspace, as image pixels do. None (default): unconstrained.
        reg_covar: added to covariance diagonals (in standardized units) for stability.
        n_init: EM restarts; the best log-likelihood is kept.
        max_iter: EM iterations per restart.
        tol: stop when the mean log-likelihood improves by less than this.
        n_dequantize: offsets used to estimate the dequantized bound on integer columns.
        random_state: seed for initialisation and dequantization.
    """

    family = "gmm"
    capabilities = frozenset({"sample", "exact_likelihood", "impute", "conditional"})
    fits_missing = True

    def __init__(
        self,
        *,
        n_components: int | None = None,
        max_components: int = 10,
        selection: str = "cv",
        prior: bool | float = True,
        covariance_type: str = "full",
        n_factors: int | None = None,
        reg_covar: float = 1e-6,
        n_init: int = 1,
        max_iter: int = 200,
        tol: float = 1e-4,
        n_dequantize: int = 8,
        random_state: int | None = 0,
    ) -> None:
        self.n_components = n_components
        self.max_components = max_components
        self.selection = selection
        self.prior = prior
        self.covariance_type = covariance_type
        self.n_factors = n_factors
        self.reg_covar = reg_covar
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.n_dequantize = n_dequantize
        self.random_state = random_state

    # ================================================================== fit
    def _fit(self, A: np.ndarray, codes: np.ndarray | None) -> None:
        self._check_params(len(A))
        self._split_columns()
        rng = np.random.default_rng(self.random_state)
        numeric = dequantize(A[:, self.numeric_], self.integer_, rng)
        # Standardize numeric columns so reg_covar and initialisation are scale-free.
        self.shift_ = np.nanmean(numeric, axis=0) if numeric.shape[1] else np.zeros(0)
        self.scale_ = np.nanstd(numeric, axis=0) if numeric.shape[1] else np.zeros(0)
        self.scale_[~(self.scale_ > 0)] = 1.0
        Xc = (numeric - self.shift_) / self.scale_
        Xcat = self._categories(A)
        groups = (
            [np.arange(len(A))]
            if codes is None
            else [np.flatnonzero(codes == c) for c in range(len(self.classes_))]
        )
        self.params_, self.bic_ = [], []
        for rows in groups:
            params, bics = self._fit_one(Xc[rows], Xcat[rows], rng)
            self.params_.append(params)
            self.bic_.append(bics)

    def _fit_one(
        self, Xc: np.ndarray, Xcat: np.ndarray, rng: np.random.Generator
    ) -> tuple[MixtureParams, dict[int, float]]:
        kwargs = dict(
            covariance_type=self.covariance_type,
            n_factors=self.n_factors,
            reg_covar=self.reg_covar,
            max_iter=self.max_iter,
            tol=self.tol,
            n_init=self.n_init,
            prior=self.prior,
            random_state=int(rng.integers(2**31)),
        )
        if self.n_components is not None:
            k = min(self.n_components, len(Xc))
            params, _ = fit_em(Xc, Xcat, list(self.n_categories_), k, **kwargs)
            return params, {}
        candidates = range(1, min(self.max_components, len(Xc)) + 1)
        if len(candidates) == 1:  # one row or max_components=1: nothing to choose
            params, _ = fit_em(Xc, Xcat, list(self.n_categories_), 1, **kwargs)
            return params, {}
        if self.selection == "cv":
            scores = cross_validated_scores(Xc, Xcat, list(self.n_categories_), candidates, kwargs)
            best = max(scores, key=scores.get)
            params, _ = fit_em(Xc, Xcat, list(self.n_categories_), best, **kwargs)
            return params, {k: -v for k, v in scores.items()}
        params, _, bics = select_n_components(
            Xc, Xcat, list(self.n_categories_), candidates=candidates, **kwargs
        )
        return params, bics

    def _check_params(self, n: int) -> None:
        if self.selection not in ("bic", "cv"):
            raise InputError(f"selection must be 'bic' or 'cv', got {self.selection!r}")
        if self.covariance_type not in COVARIANCE_TYPES:
            raise InputError(
                f"covariance_type must be one of {COVARIANCE_TYPES}, got {self.covariance_type!r}"
            )
        if self.n_components is not None and (
            not isinstance(self.n_components, int | np.integer) or self.n_components < 1
        ):
            raise InputError(f"n_components must be a positive integer, got {self.n_components!r}")

    def _split_columns(self) -> None:
        """The base class's column groups, and ``integer_``: the positions of the integer
        (dequantized) columns among the numeric ones."""
        self._set_column_groups()
        self.integer_ = np.flatnonzero(self.dequantized_)

    def _categories(self, A: np.ndarray) -> np.ndarray:
        """Categorical codes as ints with -1 for missing, shape (N, Dc)."""
        cats = A[:, self.categorical_]
        return np.where(np.isnan(cats), -1, cats).astype(np.int64)

    def _standardize(self, A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (A[:, self.numeric_] - self.shift_) / self.scale_, self._categories(A)

    def _assemble(self, Xc: np.ndarray, Xcat: np.ndarray) -> np.ndarray:
        out = np.empty((len(Xc), self.schema_.n_columns))
        out[:, self.numeric_] = Xc * self.scale_ + self.shift_
        out[:, self.categorical_] = Xcat
        return out

    @property
    def n_components_(self) -> list[int]:
        """Number of components of each fitted mixture (one per class when conditional)."""
        return [len(p.weights) for p in self.params_]

    # =========================================================== likelihood
    def _log_prob(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        columns = np.flatnonzero(self.numeric_)[self.integer_]
        return dequantized_log_prob(
            lambda B: self._log_density(B, codes), A, columns, self.n_dequantize
        )

    def _log_density(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        Xc, Xcat = self._standardize(A)
        out = np.empty(len(A))
        # Change of variables: the mixture lives on standardized numeric columns.
        log_jacobian = -np.log(self.scale_)[None, :] * ~np.isnan(Xc)  # (N, Dn)
        for c, rows in class_groups(codes, len(A)):
            out[rows] = inference.log_prob(self.params_[c or 0], Xc[rows], Xcat[rows])
        return out + log_jacobian.sum(axis=1)

    # =============================================================== sample
    def _sample(self, n: int, codes: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
        out = np.empty((n, self.schema_.n_columns))
        for c, rows in class_groups(codes, n):
            Xc, Xcat = inference.sample(self.params_[c or 0], len(rows), rng)
            out[rows] = self._assemble(Xc, Xcat)
        return out

    # =============================================================== impute
    def _impute(
        self, A: np.ndarray, codes: np.ndarray | None, rng: np.random.Generator, method: str
    ) -> np.ndarray:
        Xc, Xcat = self._standardize(A)
        out = A.copy()
        for c, rows in class_groups(codes, len(A)):
            params = self.params_[c or 0]
            if method == "mean":
                fc, fcat = inference.conditional_mean(params, Xc[rows], Xcat[rows])
            else:
                fc, fcat = inference.conditional_sample(params, Xc[rows], Xcat[rows], rng)
            out[rows] = self._assemble(fc, fcat)
        return np.where(np.isnan(A), out, A)

    # ============================================================= clusters
    def cluster_posteriors(self, X: Any, condition: Any = None) -> np.ndarray:
        """Responsibilities ``p(component k | x_o)`` of each row, shape ``(N, K)``.

        Missing entries are allowed (the posterior given the observed ones). A
        class-conditional model needs ``condition``; rows of classes with fewer components
        than the largest mixture get zeros in the extra columns.

        Example:
            >>> import genlab
            >>> X = genlab.load_dataset("eight_gaussians").X
            >>> gmm = genlab.GaussianMixture(n_components=8, random_state=0).fit(X)
            >>> gmm.cluster_posteriors(X[:4]).shape
            (4, 8)
        """
        A = self._encode(X)
        codes = self._encode_condition(condition, len(A))
        if self.classes_ is not None and codes is None:
            raise InputError("this GaussianMixture was fitted with labels: pass condition=")
        Xc, Xcat = self._standardize(A)
        out = np.zeros((len(A), max(self.n_components_)))
        for c, rows in class_groups(codes, len(A)):
            resp = inference.responsibilities(self.params_[c or 0], Xc[rows], Xcat[rows])
            out[rows, : resp.shape[1]] = resp
        return out

    # ========================================================= persistence
    def _dequantizes(self) -> bool:
        return bool(len(self.integer_))

    def _get_state(self) -> tuple[dict[str, np.ndarray], dict]:
        arrays = {"shift": self.shift_, "scale": self.scale_}
        for c, p in enumerate(self.params_):
            arrays[f"{c}.weights"] = p.weights
            arrays[f"{c}.means"] = p.means
            arrays[f"{c}.covariances"] = p.covariances
            for j, probs in enumerate(p.cat_probs):
                arrays[f"{c}.cat_probs.{j}"] = probs
        extra = {
            "n_mixtures": len(self.params_),
            "covariance_type": [p.covariance_type for p in self.params_],
            "n_factors": [p.n_factors for p in self.params_],
            "bic": [{str(k): v for k, v in b.items()} for b in self.bic_],
        }
        return arrays, extra

    @classmethod
    def _state_columns(cls, config: dict, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        n_cat = sum(k.startswith("0.cat_probs.") for k in arrays)
        sizes = [arrays[f"0.cat_probs.{j}"].shape[-1] for j in range(n_cat)]
        return {"numeric": len(arrays["shift"]), "categories": sizes}

    def _set_state(self, arrays: dict[str, np.ndarray], extra: dict) -> None:
        self._split_columns()
        self.shift_, self.scale_ = arrays["shift"], arrays["scale"]
        self.params_ = [
            MixtureParams(
                weights=arrays[f"{c}.weights"],
                means=arrays[f"{c}.means"],
                covariances=arrays[f"{c}.covariances"],
                covariance_type=extra["covariance_type"][c],
                cat_probs=[arrays[f"{c}.cat_probs.{j}"] for j in range(len(self.n_categories_))],
                n_factors=extra.get("n_factors", [None] * extra["n_mixtures"])[c],
            )
            for c in range(extra["n_mixtures"])
        ]
        self.bic_ = [{int(k): v for k, v in b.items()} for b in extra["bic"]]
