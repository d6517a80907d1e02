"""Importance sampling with a (hierarchical) VAE: the IWAE ``log_prob`` and MIWAE imputation.

``log_prob`` is the importance-weighted bound with ``k = n_importance`` posterior draws, its
noise seeded by ``random_state`` so that it is a deterministic function of the model.
Missing entries are handled as in MIWAE: the encoder sees zeros plus the observed mask and
the likelihood counts observed entries only, so ``log_prob`` bounds the marginal of the
observed entries. ``impute`` resamples posterior draws by their importance weights
``p(x_o | z) p(z) / q(z | x~)`` and draws ``x_m ~ p(x_m | z)`` (or takes the weighted mean).
The encoder's input ``x~`` is first ``x_o`` itself, then, for a few passes, the
weighted-mean completion of the previous pass: each pass is a self-normalized importance
sampler of ``p(z | x_o)`` (its proposal depends on ``x_o`` only), and an encoder trained on
complete rows proposes better from a completion.

References:
    Burda, Y., Grosse, R. & Salakhutdinov, R. (2016). Importance weighted autoencoders. ICLR.
    Mattei, P.-A. & Frellsen, J. (2019). MIWAE: deep generative modelling and imputation of
        incomplete data sets. ICML.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch

from genlab.models.vae.distributions import ColumnsDistribution

#: Rows x importance samples per evaluation block (bounds the memory of one network call).
ROWS_TIMES_SAMPLES = 8192
#: impute: passes that refine the proposal q(z | completion) before the final draw.
PROPOSAL_PASSES = 3


class ImportanceWeighted:
    """``_log_prob`` and ``_impute`` hooks of :class:`~genlab.VAE` (see module docstring).

    Expects the host to provide ``module_`` (a ``LatentNet``), ``n_importance``,
    ``schema_``, ``_network_rows``, ``_data_rows``, ``_seed`` and ``_torch_rng``.
    """

    @torch.no_grad()
    def _blocks(
        self,
        A: np.ndarray,
        codes: np.ndarray | None,
        k: int,
        generator: torch.Generator,
        seen: np.ndarray | None = None,
    ) -> Iterator[tuple[slice, torch.Tensor, ColumnsDistribution]]:
        """Yield ``(rows, log_weight (k, B), ColumnsDistribution of the k*B rows)`` per block;
        the encoder gets ``seen`` (a completion of ``A``) instead of ``A`` when given."""
        net = self.module_
        x = self._network_rows(A)
        x_seen = x if seen is None else self._network_rows(seen)
        c = None if codes is None else torch.as_tensor(codes, dtype=torch.long)
        step = max(1, ROWS_TIMES_SAMPLES // k)
        for start in range(0, len(A), step):
            rows = slice(start, start + step)
            out = net(x[rows], None if c is None else c[rows], k, generator, seen=x_seen[rows])
            yield rows, out["log_weight"], ColumnsDistribution(net, out["params"])

    def _log_prob(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        k, out = int(self.n_importance), np.empty(len(A))
        for rows, log_w, _ in self._blocks(A, codes, k, self._seed()):
            out[rows] = (torch.logsumexp(log_w.double(), dim=0) - math.log(k)).numpy()
        return out

    def _impute(
        self, A: np.ndarray, codes: np.ndarray | None, rng: np.random.Generator, method: str
    ) -> np.ndarray:
        g, out = self._torch_rng(rng), A.copy()
        incomplete = np.flatnonzero(np.isnan(A).any(axis=1))
        sub, sub_codes = A[incomplete], None if codes is None else codes[incomplete]
        seen = None
        for _ in range(PROPOSAL_PASSES):
            seen = self._impute_pass(sub, sub_codes, g, "mean", seen)
        out[incomplete] = self._impute_pass(sub, sub_codes, g, method, seen)
        return out

    def _impute_pass(
        self,
        A: np.ndarray,
        codes: np.ndarray | None,
        g: torch.Generator,
        method: str,
        seen: np.ndarray | None,
    ) -> np.ndarray:
        out = A.copy()
        for rows, log_w, lik in self._blocks(A, codes, int(self.n_importance), g, seen):
            weights = torch.softmax(log_w.double(), dim=0)  # (k, B) self-normalized
            if method == "sample":
                fill = self._resampled_draw(weights, lik, g)
            else:
                fill = self._weighted_mean(weights, lik)
            out[rows] = np.where(np.isnan(A[rows]), self._data_rows(fill), A[rows])
        return out

    @staticmethod
    def _resampled_draw(
        weights: torch.Tensor, lik: ColumnsDistribution, g: torch.Generator
    ) -> torch.Tensor:
        """Pick one posterior draw per row by its weight, then draw ``x ~ p(x | z)``."""
        B = weights.shape[1]
        pick = torch.multinomial(weights.T, 1, generator=g)[:, 0]  # (B,) sample index
        return lik[pick * B + torch.arange(B)].sample(g)

    def _weighted_mean(self, weights: torch.Tensor, lik: ColumnsDistribution) -> torch.Tensor:
        """``E[x_m | x_o]`` estimated by the weighted means; categories: the weighted mode."""
        k, B = weights.shape
        mean = (weights[..., None] * lik.mean().double().view(k, B, -1)).sum(0)  # (B, D)
        for j in self.schema_.indices("categorical"):
            probs = lik.log_pmf(int(j)).double().exp().view(k, B, -1)  # (k, B, C)
            mean[:, j] = (weights[..., None] * probs).sum(0).argmax(-1).double()
        return mean
