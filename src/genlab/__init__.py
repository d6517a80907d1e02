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

from genlab.data.datasets import Dataset, load_dataset
from genlab.errors import CapabilityError, GenlabError, InputError, ModelFileError, NotFittedError
from genlab.models import FAMILIES, KDE, GaussianMixture, GenerativeModel, load_model

__all__ = [
    "FAMILIES",
    "KDE",
    "CapabilityError",
    "Dataset",
    "GaussianMixture",
    "GenerativeModel",
    "GenlabError",
    "InputError",
    "ModelFileError",
    "NotFittedError",
    "__version__",
    "load_dataset",
    "load_model",
]
