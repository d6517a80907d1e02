"""Sample-quality and representation metrics, deterministic and offline.

Everything here is computed from arrays: a fixed-seed digits classifier trained locally on the
training split (never downloaded) supplies features and labels for the Fréchet distance, the
conditional accuracy and the classifier two-sample test; the probes measure how much a latent
code says about the class; ``rmse`` is the error of reconstructions and imputations.
"""

from genlab.metrics.probes import knn_probe_accuracy, probe_accuracy, recon_rmse, rmse
from genlab.metrics.samples import (
    DigitsClassifier,
    c2st_accuracy,
    conditional_accuracy,
    digits_classifier,
    fd_ratio,
    frechet_distance,
)

__all__ = [
    "DigitsClassifier",
    "c2st_accuracy",
    "conditional_accuracy",
    "digits_classifier",
    "fd_ratio",
    "frechet_distance",
    "knn_probe_accuracy",
    "probe_accuracy",
    "recon_rmse",
    "rmse",
]
