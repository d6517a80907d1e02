"""Diffusion models: :class:`Diffusion` (DDPM training, DDIM sampling, classifier-free
guidance, RePaint imputation, the variational bound); see
:mod:`genlab.models.diffusion.estimator` for the pieces."""

from genlab.models.diffusion.estimator import Diffusion

__all__ = ["Diffusion"]
