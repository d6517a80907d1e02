"""Bits-back coding with latent-variable models: BB-ANS for a VAE, Bit-Swap for a hierarchy.

Latents are continuous, so they are discretized: every latent dimension is cut into
``2^bits`` buckets of equal mass under the standard normal (Townsend et al., 2019), and a
Gaussian ``N(mu, sigma)`` (a posterior, or a prior of a lower layer) gives bucket ``i`` the
mass ``Phi((e_{i+1} - mu) / sigma) - Phi((e_i - mu) / sigma)`` between the bucket's edges
``e``. The top prior ``N(0, I)`` is then uniform over the buckets; the networks read each
bucket's centre. For a chain ``z_L -> ... -> z_1 -> x`` with bottom-up inference
``q(z_1 | x) q(z_2 | z_1) ...`` the encoder runs Bit-Swap's interleaving:

    pop z_1 ~ q(z_1 | x); push x ~ p(x | z_1);
    for l = 1 .. L-1: pop z_{l+1} ~ q(z_{l+1} | z_l); push z_l ~ p(z_l | z_{l+1});
    push z_L ~ p(z_L)

and the decoder runs it backwards. With one layer this is BB-ANS. Interleaving lets each
layer's pop reuse the bits just pushed by the layer below, so only ``q(z_1 | x)`` needs
initial bits (Kingma et al., 2019). The net cost per item approaches the negative ELBO of
the discretized model.

The model is read through its latent-coding interface only (``latent_dims``,
``latent_inference``, ``latent_posterior``, ``latent_layer_prior``, ``data_log_pmf``; see
:mod:`genlab.models.vae.latents`), whose network calls run on fixed chunks of rows, so the
tables do not depend on the batch.

References:
    Townsend, J., Bird, T. & Barber, D. (2019). Practical lossless compression with latent
    variables using bits back coding. ICLR.
    Kingma, F., Abbeel, P. & Ho, J. (2019). Bit-Swap: recursive bits-back coding for lossless
        compression with hierarchical latent variables. ICML.

Example:
    >>> import genlab, numpy as np
    >>> from genlab.jobs.compress.ans import Stack
    >>> ds = genlab.load_dataset("digits").subset(np.arange(100))
    >>> vae = genlab.VAE(latent_dim=4, hidden=16, max_epochs=1, progress=False).fit(ds)
    >>> codec = BitsBackLatent(vae, bits=6, lo=np.zeros(64))
    >>> symbols = vae.schema_.encode(ds.X[:3]).astype(int)
    >>> stack = Stack()
    >>> codec.push(stack, symbols)
    >>> np.array_equal(codec.pop(stack, 3), symbols), stack.words().size
    (True, 0)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

from genlab.core.errors import CapabilityError
from genlab.jobs.compress.ans import Stack, quantize, uniform


def check_latent_model(model: Any) -> None:
    """Raise CapabilityError unless ``model`` can be coded by :class:`BitsBackLatent`."""
    if getattr(model, "classes_", None) is not None:
        raise CapabilityError("bits-back coding needs an unconditional VAE; fit without labels")
    if len(model.latent_dims) > 1 and model.latent_inference != "bottom_up":
        raise CapabilityError(
            "Bit-Swap codes a HierarchicalVAE with inference='bottom_up' (q(z_l+1 | z_l)); "
            "this one was fitted with inference='top_down'"
        )


class BitsBackLatent:
    """Rows of symbols ``(B, D)`` under a (hierarchical) VAE, by BB-ANS / Bit-Swap.

    Args:
        model: a fitted VAE or bottom-up HierarchicalVAE (unconditional, discrete columns).
        bits: each latent dimension is cut into ``2^bits`` equal-mass buckets.
        lo: ``(D,)`` value of symbol 0 of each column.
    """

    #: Groups grow 2x: a row's latent pops take back most of what a row pushes (prior).
    growth = 2

    def __init__(self, model: Any, bits: int, lo: np.ndarray) -> None:
        check_latent_model(model)
        self.model, self.lo = model, np.asarray(lo, np.float64)
        self.dims = model.latent_dims
        self.n_buckets = 1 << int(bits)
        self.edges = ndtri(np.arange(self.n_buckets + 1) / self.n_buckets)  # -inf .. inf
        self.centres = ndtri((np.arange(self.n_buckets) + 0.5) / self.n_buckets)

    # ----------------------------------------------------------------- tables
    def _x_tables(self, z1: np.ndarray) -> np.ndarray:
        """Integer tables ``(B * D, L)`` of ``p(x | z_1)``, row-major over (row, column)."""
        log_pmf = self.model.data_log_pmf(self.centres[z1])  # (B, D, L)
        return quantize(log_pmf.reshape(-1, log_pmf.shape[-1]))

    def _posterior(
        self, layer: int, symbols: np.ndarray | None, z_below: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``q(z_1 | x)`` of rows of ``symbols``, or ``q(z_layer+1 | z_layer)`` of buckets."""
        if layer == 0:
            return self.model.latent_posterior(0, X=self._decoded(symbols))
        return self.model.latent_posterior(layer, z_below=self.centres[z_below])

    def _prior(self, layer: int, z_above: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.model.latent_layer_prior(layer, self.centres[z_above])

    def _tables(self, gaussian: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Integer tables ``(B * d, n_buckets)`` of the bucket masses of diagonal Gaussians
        ``(loc, scale)``, each ``(B, d)``."""
        loc, scale = (t.reshape(-1, 1) for t in gaussian)
        u = (self.edges[None, :] - loc) / scale  # (B d, n + 1) standardized edges
        # a bucket above the mean takes its mass from the upper tail, so it keeps its digits
        below = np.diff(ndtr(u), axis=1)
        above = -np.diff(ndtr(-u), axis=1)
        mass = np.where(self.centres[None, :] > loc, above, below)
        with np.errstate(divide="ignore"):
            return quantize(np.log(np.clip(mass, 0.0, None)))

    # ------------------------------------------------------------- push / pop
    def push(self, stack: Stack, symbols: np.ndarray) -> None:
        """Push rows ``symbols (B, D)``."""
        B, dims = len(symbols), self.dims
        z = stack.pop(self._tables(self._posterior(0, symbols, None))).reshape(B, dims[0])
        stack.push(symbols.reshape(-1), self._x_tables(z))
        for layer in range(1, len(dims)):
            above = stack.pop(self._tables(self._posterior(layer, None, z))).reshape(B, -1)
            stack.push(z.reshape(-1), self._tables(self._prior(layer - 1, above)))
            z = above
        stack.push(z.reshape(-1), uniform(z.size, self.n_buckets))

    def pop(self, stack: Stack, n_rows: int) -> np.ndarray:
        """Pop ``n_rows`` rows of symbols, ``(n_rows, D)``."""
        dims = self.dims
        z = stack.pop(uniform(n_rows * dims[-1], self.n_buckets)).reshape(n_rows, -1)
        for layer in range(len(dims) - 1, 0, -1):
            below = stack.pop(self._tables(self._prior(layer - 1, z))).reshape(n_rows, -1)
            stack.push(z.reshape(-1), self._tables(self._posterior(layer, None, below)))
            z = below
        symbols = stack.pop(self._x_tables(z)).reshape(n_rows, -1)
        stack.push(z.reshape(-1), self._tables(self._posterior(0, symbols, None)))
        return symbols

    def _decoded(self, symbols: np.ndarray) -> Any:
        """Symbols back to the user's container (what ``latent_posterior(0, X=...)`` reads)."""
        return self.model.schema_.decode(symbols + self.lo)
