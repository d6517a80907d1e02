from genlab.models.autoregressive.estimator import AutoregressiveModel

__all__ = ["AutoregressiveModel"]
