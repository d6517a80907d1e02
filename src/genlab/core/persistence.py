"""Saved models: a folder with ``model.json`` (settings, schema, state) and
``weights.safetensors`` (arrays), checked by a SHA-256 of the weights. Nothing is unpickled.

The format version is bumped when the layout changes in a way older readers cannot handle;
a folder written in a newer format is refused with a message naming both versions.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from genlab.core.condition import python_value
from genlab.core.errors import InputError, ModelFileError
from genlab.core.registry import FAMILIES
from genlab.core.version import __version__

#: Bumped when the saved layout changes in a way older readers cannot handle.
MODEL_FORMAT_VERSION = 1
CONFIG_FILE = "model.json"
WEIGHTS_FILE = "weights.safetensors"


def save_model(model: Any, path: str | Path) -> Path:
    """Write a fitted model to folder ``path`` (what ``model.save(path)`` does)."""
    from safetensors.numpy import save_file

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    arrays, extra = model._get_state()
    if model.class_log_prior_ is not None:
        arrays = {**arrays, "class_log_prior": model.class_log_prior_}
    arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    weights = path / WEIGHTS_FILE
    save_file(arrays, str(weights))
    classes = model.classes_
    config = {
        "format": "genlab-model",
        "format_version": MODEL_FORMAT_VERSION,
        "genlab_version": __version__,
        "family": model.family,
        "params": json_params(model.get_params(deep=False)),
        "schema": model.schema_.to_dict(),
        "classes": None if classes is None else [python_value(c) for c in classes],
        "state": extra,
        "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
    }
    (path / CONFIG_FILE).write_text(json.dumps(config, indent=2))
    return path


def load_model(path: str | Path) -> Any:
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


def json_params(params: dict) -> dict:
    """Hyperparameters as JSON values; InputError names one that cannot be saved."""
    out = {}
    for k, v in params.items():
        if isinstance(v, np.ndarray):
            v = v.tolist()
        try:
            json.dumps(v)
        except TypeError:
            raise InputError(f"parameter {k}={v!r} cannot be saved (not JSON)") from None
        out[k] = python_value(v)
    return out


def model_digest(model: Any) -> bytes:
    """SHA-256 of a fitted model's saved config and weights, without what records how it was
    made (the genlab version, the family's ``training_records``): equal for a model and its
    saved-and-loaded copy, different for any other weights or settings.

    Example:
        >>> import genlab, tempfile
        >>> m = genlab.KDE(bandwidth=0.5).fit([[0.0], [1.0], [2.0]])
        >>> with tempfile.TemporaryDirectory() as d:
        ...     same = genlab.load_model(m.save(d))
        >>> model_digest(same) == model_digest(m), len(model_digest(m))
        (True, 32)
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = model.save(Path(tmp) / "model")
        config = json.loads((folder / CONFIG_FILE).read_text())
    config.pop("genlab_version", None)
    state = config.get("state") or {}
    config["state"] = {k: v for k, v in state.items() if k not in model.training_records}
    params = config.get("params") or {}
    for name, default in model.digest_skips_defaults.items():
        if name in params and params[name] == default:  # as files made before it existed
            del params[name]
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).digest()
