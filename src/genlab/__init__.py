"""genlab: every job a generative model does, behind one interface.

Example:
    >>> import genlab
    >>> ds = genlab.load_dataset("eight_gaussians")
    >>> model = genlab.GaussianMixture(n_components=8, random_state=0).fit(ds)
    >>> model.sample(3, random_state=0).shape
    (3, 2)
"""

from __future__ import annotations

import os as _os

# Idle OpenMP threads sleep instead of spinning: on a shared 2-core machine spinning threads
# made batched torch kernels many times slower. Set before torch loads; the user's value wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from genlab.core import (
    FAMILIES,
    CapabilityError,
    Condition,
    GenerativeModel,
    GenlabError,
    InputError,
    ModelFileError,
    NotFittedError,
    __version__,
    load_model,
)
from genlab.data.datasets import Dataset, load_dataset
from genlab.jobs.compress import compress, decompress
from genlab.jobs.density.anomaly import AnomalyDetector
from genlab.jobs.density.classify import GenerativeClassifier
from genlab.jobs.density.compare import compare
from genlab.jobs.impute import impute
from genlab.models import (
    GAN,
    KDE,
    VAE,
    Auto,
    AutoregressiveModel,
    Diffusion,
    Flow,
    GaussianMixture,
    HierarchicalVAE,
    SequenceModel,
)
from genlab.train import TrainConfig

__all__ = [
    "FAMILIES",
    "GAN",
    "KDE",
    "VAE",
    "AnomalyDetector",
    "Auto",
    "AutoregressiveModel",
    "CapabilityError",
    "Condition",
    "Dataset",
    "Diffusion",
    "Flow",
    "GaussianMixture",
    "GenerativeClassifier",
    "GenerativeModel",
    "GenlabError",
    "HierarchicalVAE",
    "InputError",
    "ModelFileError",
    "NotFittedError",
    "SequenceModel",
    "TrainConfig",
    "__version__",
    "compare",
    "compress",
    "decompress",
    "impute",
    "load_dataset",
    "load_model",
]
