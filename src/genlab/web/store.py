"""The models the playground serves: saved model folders under one directory, chosen by name.

A name is looked up in the server's own list of subfolders, never joined to a path from the
user. Each model has its own lock: a request holds it while it calls the model, so concurrent
requests never interleave on one model's state (torch modules, cached tables). When the folder
holds no model, :meth:`ModelStore.bootstrap` trains quick ones in a background thread and
reports its progress.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from genlab.core.errors import InputError
from genlab.core.persistence import CONFIG_FILE, load_model

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def quick_models() -> dict[str, tuple[Callable[[], Any], str, bool]]:
    """Name -> (unfitted model, bundled dataset, with labels): small, trained in well under a
    minute on 2 cores, one for every page."""
    import genlab

    tiny = {"max_epochs": 4, "progress": False, "random_state": 0}
    return {
        "digits-gmm": (lambda: genlab.GaussianMixture(n_components=3), "digits", True),
        "digits-kde": (lambda: genlab.KDE(bandwidth=2.0, random_state=0), "digits", False),
        "digits-ar": (
            lambda: genlab.AutoregressiveModel(hidden_sizes=(64,), **tiny),
            "digits",
            False,
        ),
        "digits-vae2": (lambda: genlab.VAE(latent_dim=2, hidden=32, **tiny), "digits", False),
        "wine-gmm": (lambda: genlab.GaussianMixture(n_components=2), "wine", False),
        "wine-kde": (lambda: genlab.KDE(random_state=0), "wine", False),
    }


class ModelStore:
    """Saved models under ``folder`` (one subfolder each, as ``genlab tour`` writes them)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._models: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.progress: dict[str, Any] = {"state": "idle", "done": 0, "total": 0, "current": ""}

    def names(self) -> list[str]:
        """The models on disk (folders holding a saved model), sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(
            d.name
            for d in self.folder.iterdir()
            if (d / CONFIG_FILE).is_file() and _NAME.match(d.name)
        )

    def describe(self) -> list[dict]:
        """Name, family and capabilities of every model (loads each once)."""
        rows = []
        for name in self.names():
            with self.use(name) as m:
                rows.append(
                    {
                        "name": name,
                        "family": m.family,
                        "capabilities": sorted(m.capabilities),
                        "image_shape": list(m.schema_.image_shape or []),
                        "columns": list(m.schema_.names) if not m.schema_.image_shape else [],
                        "classes": [int(c) if str(c).isdigit() else str(c) for c in _classes(m)],
                    }
                )
        return rows

    @contextlib.contextmanager
    def use(self, name: str) -> Iterator[Any]:
        """The model ``name``, held under its lock for the ``with`` block."""
        if name not in self.names():
            raise InputError(f"no model named {name!r}; the server has {self.names()}")
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._models:
                self._models[name] = load_model(self.folder / name)
            yield self._models[name]

    def add(self, name: str, model: Any) -> None:
        """Save a fitted model as ``name`` (a new, server-chosen name) and serve it."""
        if not _NAME.match(name) or name in self.names():
            raise InputError(f"cannot save a model as {name!r}")
        model.save(self.folder / name)
        with self._guard:
            self._locks.setdefault(name, threading.Lock())
        self._models[name] = model

    def bootstrap(self, specs: dict | None = None) -> threading.Thread | None:
        """Train :func:`quick_models` in a thread when the folder holds none; else nothing."""
        if self.names():
            self.progress.update(state="ready")
            return None
        specs = specs if specs is not None else quick_models()
        self.progress.update(state="training", total=len(specs), done=0, started=time.time())
        thread = threading.Thread(target=self._train_all, args=(specs,), daemon=True)
        thread.start()
        return thread

    def _train_all(self, specs: dict) -> None:
        import genlab

        try:
            for name, (make, data_name, labels) in specs.items():
                self.progress.update(current=name)
                train, _ = genlab.load_dataset(data_name).split()
                model = make().fit(train, train.y if labels else None)
                self.add(name, model)
                self.progress["done"] += 1
            self.progress.update(state="ready", current="")
        except Exception as error:  # shown on the page; the server keeps serving
            self.progress.update(state="failed", error=str(error))


def _classes(model: Any) -> list:
    classes = getattr(model, "classes_", None)
    return [] if classes is None else list(classes)
