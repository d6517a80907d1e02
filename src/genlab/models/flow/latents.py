"""The latent codes of a flow, as the public interface gives them.

``encode`` maps complete all-numeric rows to ``z = f_c(W(x))``, distributed as the base
mixture under the model; ``decode`` inverts it exactly (up to float64 rounding).
``interpolate`` is :meth:`genlab.GenerativeModel.interpolate`: encode, a path from
:func:`genlab.nn.interpolation.latent_path`, decode. Class-conditional flows need a
``condition`` (one label, or one per row) for all three.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from genlab.core.errors import InputError


class FlowLatents:
    """``encode`` and ``decode`` of :class:`~genlab.Flow` (see module docstring); the host
    provides the fitted network ``module_``, the column masks and ``_context``."""

    def encode(self, X: Any, condition: Any = None) -> np.ndarray:
        """Latent codes ``z = f_c(W(x))`` of complete rows, shape ``(N, D)``, distributed as the
        base mixture under the model. Class-conditional flows need ``condition``.

        Example:
            >>> import genlab
            >>> X = genlab.load_dataset("iris").flat()
            >>> tiny = dict(transforms=1, hidden_features=8, base_components=1, progress=False)
            >>> flow = genlab.Flow(max_epochs=3, **tiny).fit(X)
            >>> flow.encode(X[:2]).shape, flow.interpolate(X[0], X[100], steps=5).shape
            ((2, 4), (5, 4))
        """
        self._require("latent")
        A = self._encode(X)
        self._check_latent(A)
        context = self._latent_context(condition, len(A))
        with torch.no_grad():
            c = None if context is None else torch.as_tensor(context)
            return self.module_.encode(torch.as_tensor(A), c).numpy()

    def decode(self, Z: Any, condition: Any = None) -> Any:
        """Data (the user's container and types) from latent codes ``Z`` of shape (N, D)."""
        self._require("latent")
        self._check_latent(None)
        Z = np.asarray(Z, dtype=np.float64)
        Z = Z.reshape(1, -1) if Z.ndim == 1 else Z
        D = int(self.numeric_.sum())
        if Z.ndim != 2 or Z.shape[1] != D or not np.isfinite(Z).all():
            raise InputError(f"Z must be a finite array of shape (N, {D}), got {Z.shape}")
        return self.schema_.decode(self._decode_latent(Z, self._latent_context(condition, len(Z))))

    def _decode_latent(self, Z: np.ndarray, context: np.ndarray | None) -> np.ndarray:
        """The numeric columns (N, Dn) of latent codes ``Z`` (N, Dn) given the context."""
        with torch.no_grad():
            c = None if context is None else torch.as_tensor(context)
            return self.module_.decode(torch.as_tensor(Z, dtype=torch.float64), c).numpy()

    def _check_latent(self, A: np.ndarray | None) -> None:
        if self.categorical_.any():
            names = [c.name for c in self.schema_.columns if c.kind == "categorical"]
            raise InputError(
                f"encode/decode need all-numeric data: the flow's latent space covers numeric "
                f"columns only, and categorical columns {names} have no latent code"
            )
        if A is not None and np.isnan(A).any():
            r, c = np.argwhere(np.isnan(A))[0]
            raise InputError(
                f"encode needs complete rows; row {r}, column {self.schema_.names[c]!r} is "
                "missing (impute first)"
            )

    def _latent_context(self, condition: Any, n: int) -> np.ndarray | None:
        if self.classes_ is not None and condition is None:
            raise InputError(
                "this Flow is class-conditional: pass condition= (one label or one per row)"
            )
        codes = self._encode_condition(condition, n)
        return self._context(np.zeros((n, 0)), codes)
