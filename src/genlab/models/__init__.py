"""The model families, one folder each; importing this package registers them all.

Adding a family: a folder ``models/<family>/`` with a
:class:`~genlab.core.model.GenerativeModel` subclass that sets ``family = "<name>"`` (it
registers itself in :data:`genlab.FAMILIES`), and one import line below.
"""

from __future__ import annotations

# Import order is registration order (the order of genlab.FAMILIES): keep it.
# isort: off
from genlab.models.kde import KDE
from genlab.models.mixture import GaussianMixture
from genlab.models.flow import Flow
from genlab.models.vae import VAE, HierarchicalVAE
from genlab.models.autoregressive import AutoregressiveModel
from genlab.models.gan import GAN
from genlab.models.diffusion import Diffusion
from genlab.models.sequence import SequenceModel
from genlab.models.auto import Auto
# isort: on

__all__ = [
    "GAN",
    "KDE",
    "VAE",
    "Auto",
    "AutoregressiveModel",
    "Diffusion",
    "Flow",
    "GaussianMixture",
    "HierarchicalVAE",
    "SequenceModel",
]
