"""Variational autoencoders: :class:`VAE` (one Gaussian latent layer) and
:class:`HierarchicalVAE` (a chain of them); see :mod:`genlab.models.vae.estimator` for the
pieces."""

from genlab.models.vae.estimator import VAE
from genlab.models.vae.hierarchical import HierarchicalVAE

__all__ = ["VAE", "HierarchicalVAE"]
