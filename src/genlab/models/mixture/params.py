"""The parameters of a mixture of Gaussian × categorical components (what EM fits and saves).

Model: ``p(x) = Σ_k π_k · N(x_cont; μ_k, Σ_k) · Π_j Cat(x_cat_j; θ_kj)``. Within a component the
continuous columns are jointly Gaussian (full or diagonal ``Σ_k``) and each categorical column is
an independent categorical.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class MixtureParams:
    """Parameters of a mixture of Gaussian × categorical components.

    Attributes:
        weights: Mixing weights ``π``, shape (K,), summing to 1.
        means: Means of the continuous columns, shape (K, Dc).
        covariances: Covariances, shape (K, Dc, Dc) for ``"full"``, variances (K, Dc) for
            ``"diag"``.
        covariance_type: ``"full"`` or ``"diag"``.
        cat_probs: Per categorical column j, the category probabilities ``θ_j``, shape (K, C_j).
        n_factors: ``q`` when every full covariance is ``W Wᵀ + σ² I`` with ``W`` of rank ``q``
            (probabilistic PCA); None when unconstrained. Only the parameter count uses it.

    Example:
        >>> import numpy as np
        >>> p = MixtureParams(np.ones(1), np.zeros((1, 2)), np.ones((1, 2)), "diag", [])
        >>> p.n_components, p.n_continuous, p.n_categories
        (1, 2, [])
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariance_type: str = "full"
    cat_probs: list[np.ndarray] = field(default_factory=list)
    n_factors: int | None = None

    @property
    def n_components(self) -> int:
        """Number of components K."""
        return len(self.weights)

    @property
    def n_continuous(self) -> int:
        """Number of continuous columns Dc."""
        return self.means.shape[1]

    @property
    def n_categories(self) -> list[int]:
        """Number of categories C_j of each categorical column."""
        return [probs.shape[1] for probs in self.cat_probs]
