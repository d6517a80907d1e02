"""The contract every family implements and what travels with it: the model interface
(:class:`GenerativeModel`), :class:`Condition`, errors, the registry of families, saving and
loading. Everything above this layer — models, jobs, the CLI — builds on it; it imports none
of them."""

from genlab.core.condition import ClassLabels, Condition
from genlab.core.errors import (
    CapabilityError,
    GenlabError,
    InputError,
    ModelFileError,
    NotFittedError,
)
from genlab.core.model import GenerativeModel, class_groups
from genlab.core.persistence import load_model, read_config
from genlab.core.registry import FAMILIES, families_with, family_class, family_params
from genlab.core.version import __version__

__all__ = [
    "FAMILIES",
    "CapabilityError",
    "ClassLabels",
    "Condition",
    "GenerativeModel",
    "GenlabError",
    "InputError",
    "ModelFileError",
    "NotFittedError",
    "__version__",
    "class_groups",
    "families_with",
    "family_class",
    "family_params",
    "load_model",
    "read_config",
]
