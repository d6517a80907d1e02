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
from genlab.core.state_columns import check_state_columns
from genlab.core.version import __version__
from genlab.data.schema import Schema

#: Bumped when the saved layout changes in a way older readers cannot handle.
MODEL_FORMAT_VERSION = 1
CONFIG_FILE = "model.json"
WEIGHTS_FILE = "weights.safetensors"


def save_model(model: Any, path: str | Path) -> Path:
    """Write a fitted model to folder ``path`` (what ``model.save(path)`` does)."""
    from safetensors.numpy import save_file

    path = check_writable_dir(path, "the model folder")
    arrays, extra = model._get_state()
    if model.class_log_prior_ is not None:
        arrays = {**arrays, "class_log_prior": model.class_log_prior_}
    arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    bad = [k for k, v in arrays.items() if v.dtype.kind in "fc" and not np.isfinite(v).all()]
    if bad:  # loading refuses such a file: never write one
        raise InputError(
            f"the fitted {type(model).__name__} has NaN or infinite weights ({bad[0]!r}); "
            "it cannot be saved: refit with other settings"
        )
    path.mkdir(parents=True, exist_ok=True)
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
        "schema_sha256": _json_sha256(model.schema_.to_dict()),
        "classes": None if classes is None else [python_value(c) for c in classes],
        "state": extra,
        **_condition_shape(model),
        "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
    }
    (path / CONFIG_FILE).write_text(json.dumps(config, indent=2))
    return path


def _json_sha256(value: Any) -> str:
    """SHA-256 of ``value`` as canonical JSON: it ties a saved schema to its weights."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _condition_shape(model: Any) -> dict:
    """The config entry of a model fitted on image conditions (none otherwise, so that the
    files of every other model are as before)."""
    shape = getattr(model, "condition_shape_", None)
    return {} if shape is None else {"condition_shape": list(shape)}


def check_writable_dir(path: str | Path, what: str = "--out") -> Path:
    """InputError unless folder ``path`` can be created or written: the nearest folder that
    exists (``path`` itself or an ancestor) must be a folder where a file can be made, tried
    by making and removing one. Call it before a long fit whose result goes to ``path``, so
    that a read-only or misspelt place is found before the work, not after.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     print(check_writable_dir(Path(d) / "new" / "model") == Path(d) / "new" / "model")
        ...     (Path(d) / "notes.txt").write_text("a file")
        ...     try:
        ...         check_writable_dir(Path(d) / "notes.txt" / "model")
        ...     except InputError as e:
        ...         print("refused:", str(e).split(" (")[0].endswith("is inside a file"))
        True
        6
        refused: True
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{what} {path} is a file, not a folder")
    existing = next(p for p in (path, *path.parents) if p.exists() or p == Path(p.anchor))
    if not existing.is_dir():
        raise InputError(f"{what} {path} is inside a file ({existing}), not a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".genlab-write-test-"):
            pass
    except OSError as e:
        raise InputError(f"{what} {path} cannot be written ({existing}: {e.strerror})") from None
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
    saved = config.get("schema_sha256")  # absent from files of genlab <= 0.1
    if saved is not None and saved != _json_sha256(config.get("schema")):
        raise ModelFileError(
            f"{config_file}: the schema was edited (it no longer matches the SHA-256 saved "
            "with the model); the columns a model was fitted on cannot be changed"
        )
    cls = FAMILIES.get(config.get("family"))
    if cls is None:
        raise ModelFileError(f"{path}: unknown family {config.get('family')!r}")
    try:
        arrays = dict(load(blob))
        check_finite_model(config, arrays, path)
        schema = Schema.from_dict(config["schema"])
        check_saved_schema(schema, path)
        # the weights, not the schema's checksum (which an editor can recompute), say
        # which columns the model was fitted on
        check_state_columns(cls._state_columns(config, arrays), schema, config_file)
        return cls._from_saved(config, arrays)
    except ModelFileError:
        raise
    # An edited model.json can make any of these surface while the model is rebuilt.
    except (SafetensorError, LookupError, TypeError, ValueError, AttributeError, RuntimeError) as e:
        raise ModelFileError(f"{path} is damaged or inconsistent: {e!r}") from None


def check_finite_model(config: dict, arrays: dict[str, np.ndarray], path: Path) -> None:
    """ModelFileError naming the first weight array or hyperparameter of a saved model that
    holds NaN or ±inf: genlab never saves one, and such a model would score NaN quietly.

    Example:
        >>> try:
        ...     check_finite_model({"params": {"bandwidth": [1.0, float("inf")]}}, {}, Path("m"))
        ... except ModelFileError as e:
        ...     print(str(e)[:56])
        m: hyperparameter 'bandwidth' is not finite ([1.0, inf])
    """
    for name, array in arrays.items():
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            raise ModelFileError(
                f"{path}: weight array {name!r} holds NaN or infinite values; "
                "the file was edited or damaged"
            )
    state = config.get("state") or {}
    settings = {**(config.get("params") or {}), "module_config": state.get("module_config")}
    for name, value in settings.items():
        if not _finite_json(value):
            raise ModelFileError(
                f"{path}: hyperparameter {name!r} is not finite ({value!r}); "
                "the file was edited or damaged"
            )


def _finite_json(value: Any) -> bool:
    if isinstance(value, float):
        return bool(np.isfinite(value))
    if isinstance(value, list | tuple):
        return all(_finite_json(v) for v in value)
    if isinstance(value, dict):
        return all(_finite_json(v) for v in value.values())
    return True


_KINDS = ("continuous", "integer", "categorical")
_CONTAINERS = ("ndarray", "dataframe", "image")


def check_saved_schema(schema: Any, path: Path) -> None:
    """ModelFileError unless a loaded schema is one genlab could have written: known column
    kinds and containers, dtypes pandas knows, an integer grid ``(low <= high)``, at least one
    category per categorical column, and an image shape that holds the columns."""
    import pandas as pd

    for c in schema.columns:
        problem = None
        if c.kind not in _KINDS:
            problem = f"kind {c.kind!r} is not one of {_KINDS}"
        elif c.kind == "integer" and not _is_grid(c.levels):
            problem = f"integer levels {list(c.levels)!r} are not [low, high]"
        elif c.kind == "categorical" and not c.levels:
            problem = "has no categories"
        else:
            try:
                pd.api.types.pandas_dtype(c.dtype)
            except TypeError:
                problem = f"dtype {c.dtype!r} is not a dtype"
        if problem:
            raise ModelFileError(f"{path}: the schema's column {c.name!r} {problem}")
    if schema.container not in _CONTAINERS:
        raise ModelFileError(f"{path}: unknown container {schema.container!r} in the schema")
    shape = schema.image_shape
    if schema.container == "image" and (not shape or int(np.prod(shape)) != schema.n_columns):
        raise ModelFileError(
            f"{path}: image shape {shape} does not hold {schema.n_columns} columns"
        )


def _is_grid(levels: Any) -> bool:
    return (
        len(levels) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in levels)
        and levels[0] <= levels[1]
    )


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
    config.pop("schema_sha256", None)  # the schema is in the digest; this only checks it
    state = config.get("state") or {}
    config["state"] = {k: v for k, v in state.items() if k not in model.training_records}
    params = config.get("params") or {}
    for name, default in model.digest_skips_defaults.items():
        if name in params and params[name] == default:  # as files made before it existed
            del params[name]
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).digest()
