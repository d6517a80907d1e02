"""The estimators a user would reach for instead of genlab, set up the way they would be.

Each returns a fitted scikit-learn estimator whose ``score_samples`` is a log-density in nats
(:func:`zuko_flow_default` returns the log-density function itself).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KernelDensity


def sklearn_kde_cv(X: np.ndarray, *, n_bandwidths: int = 30) -> KernelDensity:
    """``KernelDensity`` with its bandwidth chosen by 5-fold ``GridSearchCV`` (sklearn's docs way).

    The grid spans 0.02..2 times the mean column std (log-spaced).
    """
    scale = float(np.mean(np.std(X, axis=0)))
    grid = {"bandwidth": np.geomspace(0.02, 2.0, n_bandwidths) * scale}
    search = GridSearchCV(KernelDensity(), grid, cv=5)
    return search.fit(X).best_estimator_


def sklearn_gmm_bic(
    X: np.ndarray, *, max_components: int = 10, covariance_type: str = "full"
) -> GaussianMixture:
    """``GaussianMixture`` with the number of components (1..max) chosen by BIC."""
    best, best_bic = None, np.inf
    for k in range(1, max_components + 1):
        gmm = GaussianMixture(k, covariance_type=covariance_type, random_state=0).fit(X)
        bic = gmm.bic(X)
        if bic < best_bic:
            best, best_bic = gmm, bic
    return best


def zuko_flow_default(
    X_train: np.ndarray,
    kind: str,
    random_state: int = 0,
    *,
    max_epochs: int = 1000,
    patience: int = 30,
    batch_size: int = 64,
) -> Callable[[np.ndarray], np.ndarray]:
    """zuko's ``NSF`` or ``MAF`` with its default settings, trained the way a user would.

    A plain loop: Adam (lr 1e-3), minibatches of ``batch_size``, early stopping on a seeded
    10% validation split (``patience`` epochs), best validation weights kept. No genlab code
    is involved, so this is the "default user" baseline for :class:`genlab.Flow`.

    Returns:
        ``log_prob(X_test) -> (N,)`` in nats.

    Example:
        >>> X = np.random.default_rng(0).normal(size=(60, 2))
        >>> log_prob = zuko_flow_default(X, "maf", max_epochs=2)
        >>> log_prob(X[:3]).shape
        (3,)
    """
    import copy

    import torch
    import zuko

    flows = {"nsf": zuko.flows.NSF, "maf": zuko.flows.MAF}
    torch.manual_seed(random_state)
    X = torch.as_tensor(X_train, dtype=torch.float32)
    flow = flows[kind](X.shape[1])
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(random_state))
    n_val = max(1, round(0.1 * len(X)))
    val, train = X[order[:n_val]], X[order[n_val:]]
    optimizer = torch.optim.Adam(flow.parameters(), lr=1e-3)
    best, best_state, waited = np.inf, copy.deepcopy(flow.state_dict()), 0
    for _ in range(max_epochs):
        for batch in train[torch.randperm(len(train))].split(batch_size):
            loss = -flow().log_prob(batch).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            val_loss = -flow().log_prob(val).mean().item()
        best, best_state, waited = (
            (val_loss, copy.deepcopy(flow.state_dict()), 0)
            if val_loss < best
            else (best, best_state, waited + 1)
        )
        if waited >= patience:
            break
    flow.load_state_dict(best_state)

    def log_prob(X_test: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            x = torch.as_tensor(np.asarray(X_test), dtype=torch.float32)
            return flow().log_prob(x).double().numpy()

    return log_prob
