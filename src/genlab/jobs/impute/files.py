"""Saved imputers: the ``imputer.json`` that marks a folder as one, and :func:`load_imputer`.

A fitted :class:`~genlab.jobs.impute.bootstrap.Bootstrap` or
:class:`~genlab.jobs.impute.stack.StackedImputer` saves to a folder: ``imputer.json`` (its
``kind``, ``"bootstrap"`` or ``"stack"``, and what it holds) beside one folder per model it
holds. A folder without ``imputer.json`` is a saved model. Each kind of imputer registers how
it loads with :func:`imputer_kind`, so this module, which every imputer imports, imports none
of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from genlab.core.errors import ModelFileError
from genlab.core.persistence import load_model, read_config
from genlab.core.version import __version__

__all__ = [
    "IMPUTER_FILE",
    "imputer_kind",
    "load_imputer",
    "read_imputer_config",
    "write_imputer_config",
]

#: The file that marks a folder as a saved imputer (a ``Bootstrap`` or a ``StackedImputer``).
IMPUTER_FILE = "imputer.json"
FORMAT_VERSION = 1
_FORMAT = "genlab-imputer"

#: kind (as ``imputer.json`` records it) -> the function that loads a folder of that kind.
_LOADERS: dict[str, Callable[[Path], Any]] = {}


def imputer_kind(kind: str) -> Callable[[type], type]:
    """Class decorator: folders whose ``imputer.json`` says ``kind`` load with ``cls.load``."""

    def register(cls: type) -> type:
        _LOADERS[kind] = cls.load
        return cls

    return register


def load_imputer(path: str | Path) -> Any:
    """What ``save(path)`` wrote: a model (:func:`genlab.load_model`), a fitted
    :class:`~genlab.jobs.impute.bootstrap.Bootstrap` or a
    :class:`~genlab.jobs.impute.stack.StackedImputer`; anything
    :func:`~genlab.jobs.impute.impute` takes.

    Raises:
        ModelFileError: the folder is neither, or a file in it is damaged.

    Example:
        >>> import numpy as np, genlab, tempfile
        >>> from genlab.jobs.impute import Bootstrap, impute
        >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 2.5], [3.0, 3.0]])
        >>> bag = Bootstrap(genlab.GaussianMixture(n_components=1), 2, random_state=0).fit(X)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     same = load_imputer(bag.save(d))
        >>> bool((impute(same, X, method="mean") == impute(bag, X, method="mean")).all())
        True
    """
    path = Path(path)
    if not (path / IMPUTER_FILE).is_file():
        return load_model(path)
    kind = read_imputer_config(path).get("kind")
    if kind not in _LOADERS:
        raise ModelFileError(f"{path / IMPUTER_FILE}: unknown imputer kind {kind!r}")
    return _LOADERS[kind](path)


def member_folder(path: Path, folder: Any) -> Path:
    """The folder of a saved imputer's member named ``folder`` in ``imputer.json``; it must
    lie inside the imputer's own folder ``path`` (after symlinks are followed): an edited
    file must not make genlab load a model from elsewhere (``../../model``, ``/abs/model``).

    Raises:
        ModelFileError: ``folder`` is not a relative name inside ``path``.

    Example:
        >>> try:
        ...     member_folder(Path("imp"), "../../model")
        ... except ModelFileError as e:
        ...     print(str(e)[:56])
        imp/imputer.json names member folder '../../model', outs
    """
    root = Path(path).resolve()
    inside = isinstance(folder, str) and folder not in ("", ".")
    target = (root / folder).resolve() if inside else root
    if not inside or Path(folder).is_absolute() or root not in target.parents:
        raise ModelFileError(
            f"{Path(path) / IMPUTER_FILE} names member folder {folder!r}, outside {path}; "
            "a member must be a folder inside it"
        )
    return target


def write_imputer_config(path: Path, kind: str, fields: dict[str, Any]) -> None:
    """Write ``imputer.json`` for a saved imputer of ``kind`` (``"bootstrap"`` or ``"stack"``)."""
    config = {
        "format": _FORMAT,
        "format_version": FORMAT_VERSION,
        "genlab_version": __version__,
        "kind": kind,
        **fields,
    }
    (path / IMPUTER_FILE).write_text(json.dumps(config, indent=2))


def read_imputer_config(path: Path, kind: str | None = None) -> dict[str, Any]:
    """The checked ``imputer.json`` of a saved imputer (of ``kind``, when given).

    Raises:
        ModelFileError: the file is missing, damaged, of another kind or of a newer format.
    """
    file = Path(path) / IMPUTER_FILE
    if not file.is_file():
        raise ModelFileError(f"{path} is not a saved genlab imputer (needs {IMPUTER_FILE})")
    config = read_config(file, _FORMAT, FORMAT_VERSION)
    if kind is not None and config.get("kind") != kind:
        raise ModelFileError(f"{file} holds a {config.get('kind')!r}, not a {kind!r}")
    return config
