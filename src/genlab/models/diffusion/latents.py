"""``encode``/``decode`` of a diffusion model: DDIM inversion, the deterministic ODE path
between data and noise, so that :meth:`~genlab.GenerativeModel.interpolate` walks between
two examples through their noise (slerp suits it: the noise is standard normal).

The code of a row is the end of its inverted DDIM path, ``(N, D)`` with ``D`` the dimensions
of the diffusion space (a categorical column takes one per category). The path stops at the
last step whose ``alpha_bar`` is at least :data:`LATENT_ALPHA_BAR` (the code is then all but
standard normal): the cosine schedule's very last steps leave so little signal that decoding
from them would multiply the network's errors by ``1 / sqrt(alpha_bar)``. Both directions use
the model's plain (conditional, unguided) noise prediction, so that ``decode(encode(x))``
comes back close to ``x``; the match improves with ``steps``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from genlab.core.errors import InputError
from genlab.models.diffusion.reverse import ddim_invert, ddim_sample, guided_eps

#: Signal fraction ``alpha_bar`` of the latent path's noisiest step.
LATENT_ALPHA_BAR = 1e-3


class DiffusionLatents:
    """Mixin of :class:`~genlab.Diffusion`: ``encode``, ``decode``, ``latent_dims``."""

    @property
    def latent_dims(self) -> tuple[int]:
        """Shape of one row's code: the dimensions of the diffusion space."""
        self._check_fitted()
        return (self._layout().dim,)

    def _latent_top(self) -> int:
        return self._process().last_step_above(LATENT_ALPHA_BAR)

    def _latent_eps(self, condition: Any, n: int) -> Any:
        codes = self._encode_condition(condition, n)
        return guided_eps(self.module_, self._codes(codes), 0.0)

    @torch.no_grad()
    def encode(self, X: Any, condition: Any = None) -> np.ndarray:
        """Codes ``(N, D)`` of the rows of ``X`` (no missing entries), by DDIM inversion.

        Args:
            X: data in the training container.
            condition: class labels for a class-conditional model (None: unconditional).
        """
        self._require("latent")
        self._check_params()
        A = self._encode(X)
        if np.isnan(A).any():
            raise InputError("encode needs complete rows; impute the missing entries first")
        x0 = self._layout().to_net(A).float()
        eps_fn = self._latent_eps(condition, len(A))
        z = ddim_invert(self._process(), eps_fn, x0, self.steps, self._latent_top())
        return z.double().numpy()

    @torch.no_grad()
    def decode(self, Z: Any, condition: Any = None) -> Any:
        """Data in the training container from codes ``Z`` ``(N, D)`` (DDIM steps from ``Z``)."""
        self._require("latent")
        self._check_params()
        layout = self._layout()
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim != 2 or Z.shape[1] != layout.dim or not np.isfinite(Z).all():
            raise InputError(f"Z must be finite codes of shape (N, {layout.dim})")
        eps_fn = self._latent_eps(condition, len(Z))
        start = torch.as_tensor(Z, dtype=torch.float32)
        x = ddim_sample(
            self._process(),
            eps_fn,
            start.shape,
            self.steps,
            None,
            self._clip(),
            start=start,
            top=self._latent_top(),
        )
        return self.schema_.decode(layout.from_net(x))
