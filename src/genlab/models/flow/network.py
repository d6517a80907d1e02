"""The flow's network: ``forward(x, c)`` is ``log p(x | c)`` in the user's units.

Three parts, composed in this order from data to latent:

* a fixed affine whitening ``W(x) = L_g^{-1} (x - mu_g)`` per class ``g`` (buffers ``loc`` and
  ``scale_tril``; the class is read from the one-hot head of the context). Its log-Jacobian
  is part of the density;
* a zuko transform conditioned on ``c`` (``kind="nsf"``: rational-quadratic splines,
  ``"maf"``: affine autoregressive) whose output layers start at zero, so that it starts as
  the identity;
* a trainable base: a mixture of full-covariance Student-t (or Gaussian) components.

Example:
    >>> import torch
    >>> net = FlowNetwork(2, 0, 0, "nsf", 1, [8, 8], 4, None, "gaussian", 1).double()
    >>> x = torch.zeros(3, 2, dtype=torch.float64)
    >>> net(x).shape, bool(torch.allclose(net.decode(net.encode(x, None), None), x))
    (torch.Size([3]), True)
"""

from __future__ import annotations

import numpy as np
import torch
import zuko
from torch import nn

from genlab.core.errors import InputError

KINDS = ("nsf", "maf")
EVAL_ROWS = 16384  # rows per forward pass at inference
TAILS = ("gaussian", "student")
_INITIAL_DF = 30.0  # Student-t base starts close to the Gaussian; training adapts the tails


class FlowNetwork(nn.Module):
    """``forward(x, c)`` = log p(x | c) in x's units: a fixed affine whitening per class (the
    class is the one-hot head of the context), a zuko transform conditioned on ``c``, and a
    trainable base: a mixture of ``components`` full-covariance Student-t (or Gaussian).

    Args:
        features: numeric columns ``D``.
        context: width of the context ``c`` (one-hot class, then one-hot categories).
        classes: number of classes (0 without labels): the head of the context.
        kind: ``"nsf"`` or ``"maf"``.
        transforms: number of zuko transforms.
        hidden: widths of each transform's hidden layers.
        bins: spline bins (``"nsf"``).
        passes: ``None`` for fully autoregressive transforms, 2 for coupling.
        tails: ``"student"`` or ``"gaussian"`` base components.
        components: number of base components ``K``.
    """

    def __init__(
        self,
        features: int,
        context: int,
        classes: int,
        kind: str,
        transforms: int,
        hidden: list[int],
        bins: int,
        passes: int | None,
        tails: str,
        components: int,
    ) -> None:
        super().__init__()
        common = {"transforms": transforms, "hidden_features": hidden, "passes": passes}
        if kind == "nsf":
            flow = zuko.flows.NSF(features, context, bins=bins, **common)
        else:
            flow = zuko.flows.MAF(features, context, **common)
        self.transform = flow.transform  # zuko's lazy x -> z given c; the base is ours
        _start_as_identity(self.transform)
        self.classes, self.tails = classes, tails
        self.base_logits = nn.Parameter(torch.zeros(components))
        self.base_loc = nn.Parameter(torch.zeros(components, features))
        # strictly lower part of the scale's Cholesky factor, and its log-diagonal
        self.base_tril = nn.Parameter(torch.zeros(components, features, features))
        self.base_log_diag = nn.Parameter(torch.zeros(components, features))
        self.base_raw_df = nn.Parameter(torch.full((components,), np.log(_INITIAL_DF - 1.0)))
        groups = max(classes, 1)
        self.register_buffer("loc", torch.zeros(groups, features))
        self.register_buffer("scale_tril", torch.eye(features).repeat(groups, 1, 1))

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        y, log_det = self.whiten(x, c)  # (B, D), (B,)
        z, ladj = self.transform(c).call_and_ladj(y)
        return self.base_log_prob(z) + ladj + log_det

    def base_scale(self) -> torch.Tensor:
        """Cholesky factors of the base components' scales (K, D, D)."""
        return torch.tril(self.base_tril, -1) + torch.diag_embed(self.base_log_diag.exp())

    def base_df(self) -> torch.Tensor | None:
        """Degrees of freedom of each component (K,); None for Gaussian components."""
        return None if self.tails == "gaussian" else 1.0 + self.base_raw_df.exp()

    def base_log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """Log density of the base mixture at latent codes ``z`` (B, D), shape (B,)."""
        L, D = self.base_scale(), z.shape[1]
        diff = (z[:, None, :] - self.base_loc).permute(1, 2, 0)  # (K, D, B)
        mahalanobis = torch.linalg.solve_triangular(L, diff, upper=False).square().sum(1).T
        log_det = self.base_log_diag.sum(dim=1)  # (K,)
        df = self.base_df()
        if df is None:
            log_k = -0.5 * mahalanobis - 0.5 * D * np.log(2 * np.pi) - log_det  # (B, K)
        else:
            log_k = (
                torch.lgamma((df + D) / 2)
                - torch.lgamma(df / 2)
                - 0.5 * D * torch.log(df * np.pi)
                - log_det
                - 0.5 * (df + D) * torch.log1p(mahalanobis / df)
            )
        return torch.logsumexp(torch.log_softmax(self.base_logits, 0) + log_k, dim=1)

    def groups(self, c: torch.Tensor | None, n: int) -> torch.Tensor:
        """Class index of each row, read from the one-hot head of the context (B,)."""
        if self.classes == 0:
            return torch.zeros(n, dtype=torch.long, device=self.loc.device)
        return c[:, : self.classes].argmax(dim=1)

    def whiten(self, x: torch.Tensor, c: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """``W(x)`` (B, D) with each row's class map, and its log-Jacobian (B,)."""
        g = self.groups(c, len(x))
        y = torch.zeros_like(x)
        for k in range(len(self.loc)):  # one triangular solve per class, not a (B, D, D) batch
            rows = g == k
            centred = (x[rows] - self.loc[k]).T  # (D, b)
            y[rows] = torch.linalg.solve_triangular(self.scale_tril[k], centred, upper=False).T
        log_det = -self.scale_tril.diagonal(dim1=1, dim2=2).log().sum(dim=1)  # (G,)
        return y, log_det[g]

    def encode(self, x: torch.Tensor, c: torch.Tensor | None) -> torch.Tensor:
        """Latent codes ``f_c(W(x))`` (B, D)."""
        return self.transform(c)(self.whiten(x, c)[0])

    def decode(self, z: torch.Tensor, c: torch.Tensor | None) -> torch.Tensor:
        """Data ``W^{-1}(f_c^{-1}(z))`` (B, D) from latent codes."""
        g = self.groups(c, len(z))
        y = self.transform(c).inv(z)  # (B, D)
        return self.loc[g] + torch.einsum("bij,bj->bi", self.scale_tril[g], y)

    def sample_base(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws of the base mixture (n, D) from a numpy generator (seeded sampling)."""
        with torch.no_grad():
            weights = torch.softmax(self.base_logits, 0).numpy()
            loc, L, df = self.base_loc.numpy(), self.base_scale().numpy(), self.base_df()
        k = rng.choice(len(weights), size=n, p=weights / weights.sum())
        eps = rng.standard_normal((n, loc.shape[1]))
        if df is not None:  # Student-t: a Gaussian over the root of a scaled chi-square
            nu = df.numpy()[k][:, None]
            eps = eps / np.sqrt(rng.chisquare(nu) / nu)
        return loc[k] + np.einsum("nij,nj->ni", L[k], eps)


def log_density(network: FlowNetwork, X: np.ndarray, context: np.ndarray | None) -> np.ndarray:
    """``network(X, context)`` (N,) as numpy, in chunks of ``EVAL_ROWS`` rows, no gradients."""
    out = np.empty(len(X))
    with torch.no_grad():
        for s in range(0, len(X), EVAL_ROWS):
            c = None if context is None else torch.as_tensor(context[s : s + EVAL_ROWS])
            out[s : s + EVAL_ROWS] = network(torch.as_tensor(X[s : s + EVAL_ROWS]), c)
    return out


def _start_as_identity(transform: nn.Module) -> None:
    """Zero the output layer of every transform's network, so the flow starts as identity."""
    for t in transform.transforms:
        if hasattr(t, "hyper"):
            nn.init.zeros_(t.hyper[-1].weight)
            nn.init.zeros_(t.hyper[-1].bias)
        else:  # one feature and no context: zuko's element-wise transform, plain parameters
            for phi in t.phi:
                nn.init.zeros_(phi)


def hidden_layers(hidden: int | list[int]) -> list[int]:
    """``64`` -> ``[64, 64]``; a list is kept. Positive integers only.

    Example:
        >>> hidden_layers(64), hidden_layers([32, 16, 8])
        ([64, 64], [32, 16, 8])
    """
    layers = [hidden, hidden] if isinstance(hidden, int | np.integer) else list(hidden)
    if not layers or not all(isinstance(h, int | np.integer) and h >= 1 for h in layers):
        raise InputError(f"hidden_features must be a positive int or list of them, got {hidden!r}")
    return [int(h) for h in layers]
