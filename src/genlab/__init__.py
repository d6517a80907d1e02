"""genlab: every job a generative model does, behind one interface.

Example:
    >>> import genlab
    >>> ds = genlab.load_dataset("eight_gaussians")
    >>> model = genlab.GaussianMixture(n_components=8, random_state=0).fit(ds)
    >>> model.sample(3, random_state=0).shape
    (3, 2)
"""

from __future__ import annotations

__version__ = "0.1.0"

import os as _os

# Idle OpenMP threads sleep instead of spinning: on a shared 2-core machine spinning threads
# made batched torch kernels up to 30x slower. Set before torch loads; the user's value wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from genlab.data.datasets import Dataset, load_dataset
from genlab.errors import CapabilityError, GenlabError, InputError, ModelFileError, NotFittedError
from genlab.models import (
    FAMILIES,
    KDE,
    VAE,
    Auto,
    AutoregressiveModel,
    Flow,
    GaussianMixture,
    GenerativeModel,
    HierarchicalVAE,
    load_model,
)
from genlab.tasks.anomaly import AnomalyDetector
from genlab.tasks.classify import GenerativeClassifier
from genlab.tasks.compare import compare
from genlab.tasks.compress import compress, decompress
from genlab.tasks.impute import impute

__all__ = [
    "FAMILIES",
    "KDE",
    "VAE",
    "AnomalyDetector",
    "Auto",
    "AutoregressiveModel",
    "CapabilityError",
    "Dataset",
    "Flow",
    "GaussianMixture",
    "GenerativeClassifier",
    "GenerativeModel",
    "GenlabError",
    "HierarchicalVAE",
    "InputError",
    "ModelFileError",
    "NotFittedError",
    "__version__",
    "compare",
    "compress",
    "decompress",
    "impute",
    "load_dataset",
    "load_model",
]
