"""Model families and loading saved models.

Adding a family: write ``models/<family>.py`` with a :class:`GenerativeModel` subclass and add
one line to :data:`FAMILIES`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from genlab.errors import ModelFileError
from genlab.models.auto import Auto
from genlab.models.autoregressive import AutoregressiveModel
from genlab.models.base import (
    CONFIG_FILE,
    MODEL_FORMAT_VERSION,
    WEIGHTS_FILE,
    GenerativeModel,
)
from genlab.models.flow import Flow
from genlab.models.hierarchical_vae import HierarchicalVAE
from genlab.models.kde import KDE
from genlab.models.mixture import GaussianMixture
from genlab.models.vae import VAE

#: family name (as used by ``genlab fit FAMILY``) -> class
FAMILIES: dict[str, type[GenerativeModel]] = {
    "kde": KDE,
    "gmm": GaussianMixture,
    "flow": Flow,
    "vae": VAE,
    "hvae": HierarchicalVAE,
    "autoregressive": AutoregressiveModel,
    "auto": Auto,
}


def load_model(path: str | Path) -> GenerativeModel:
    """Load a model written by ``model.save(path)``; identical outputs, nothing unpickled.

    Raises:
        ModelFileError: the folder is missing, a file is damaged, or it was written by an
            incompatible version of genlab.

    Example:
        >>> import genlab, tempfile
        >>> m = genlab.KDE(bandwidth=0.5).fit([[0.0], [1.0], [2.0]])
        >>> with tempfile.TemporaryDirectory() as d:
        ...     same = genlab.load_model(m.save(d))
        >>> bool((same.log_prob([[0.5]]) == m.log_prob([[0.5]])).all())
        True
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load

    path = Path(path)
    config_file, weights_file = path / CONFIG_FILE, path / WEIGHTS_FILE
    if not config_file.is_file() or not weights_file.is_file():
        raise ModelFileError(
            f"{path} is not a saved genlab model (needs {CONFIG_FILE} and {WEIGHTS_FILE})"
        )
    config = read_config(config_file, "genlab-model", MODEL_FORMAT_VERSION)
    blob = weights_file.read_bytes()
    if hashlib.sha256(blob).hexdigest() != config.get("weights_sha256"):
        raise ModelFileError(f"{weights_file} is damaged (checksum mismatch)")
    cls = FAMILIES.get(config.get("family"))
    if cls is None:
        raise ModelFileError(f"{path}: unknown family {config.get('family')!r}")
    try:
        arrays = load(blob)
        return cls._from_saved(config, dict(arrays))
    except (SafetensorError, KeyError, TypeError, ValueError) as e:
        raise ModelFileError(f"{path} is damaged or inconsistent: {e!r}") from None


def read_config(file: Path, fmt: str, max_version: int) -> dict:
    """The JSON object in ``file`` whose ``format`` is ``fmt``, written in a format version
    this genlab reads (at most ``max_version``): a saved model's or imputer's config.

    Raises:
        ModelFileError: the file is not JSON, not of ``fmt``, or of a newer format version.
    """
    try:
        config = json.loads(file.read_text())
        if not isinstance(config, dict) or config.get("format") != fmt:
            raise ValueError(f"not a {fmt} config")
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelFileError(f"{file} is damaged: {e}") from None
    version = config.get("format_version")
    if not isinstance(version, int) or version > max_version:
        raise ModelFileError(
            f"{file.parent} was written by genlab {config.get('genlab_version')} in {fmt} "
            f"format {version}; this genlab reads format <= {max_version}. Upgrade genlab."
        )
    return config


__all__ = [
    "FAMILIES",
    "KDE",
    "VAE",
    "Auto",
    "AutoregressiveModel",
    "Flow",
    "GaussianMixture",
    "GenerativeModel",
    "HierarchicalVAE",
    "load_model",
    "read_config",
]
