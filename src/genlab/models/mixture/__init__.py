from genlab.models.mixture.estimator import GaussianMixture

__all__ = ["GaussianMixture"]
