"""Generative adversarial networks: :class:`GAN` (a conditional DCGAN on images, an MLP GAN on
tables); see :mod:`genlab.models.gan.estimator` for the objective and the pieces."""

from genlab.models.gan.estimator import GAN

__all__ = ["GAN"]
