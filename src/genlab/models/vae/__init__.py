from genlab.models.vae.estimator import VAE
from genlab.models.vae.hierarchical import HierarchicalVAE

__all__ = ["VAE", "HierarchicalVAE"]
