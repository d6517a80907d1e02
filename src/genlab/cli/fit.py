"""``genlab fit`` (a family, by name, fitted to data and saved) and ``genlab datasets``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from genlab.cli.guards import NaValues, check_device, check_not_inputs
from genlab.cli.options import Data, Quiet, Seed, check_folder, is_quiet, progress, say
from genlab.core.errors import InputError


def datasets() -> None:
    """List the bundled datasets (usable wherever a command takes DATA)."""
    from genlab.data.datasets import DATASETS

    for name, loader in DATASETS.items():
        ds = loader()
        shape = ds.image_shape or (ds.schema.n_columns,)
        labels = "labels" if ds.y is not None and ds.y_is_label else "no labels"
        print(f"{name:18s} {len(ds):6d} rows  shape {shape!s:10s} {labels:9s}  {ds.description}")


def fit(
    family: Annotated[str, typer.Argument(help="Model family: kde, gmm (see FAMILIES).")],
    data: Data,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to save the model in.")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Hyperparameter key=value (JSON value), repeatable."),
    ] = None,
    label_column: Annotated[
        str | None,
        typer.Option(
            help="Column with class labels: the model becomes class-conditional. For bundled "
            "datasets use 'label'."
        ),
    ] = None,
    checkpoint_dir: Annotated[
        Path | None,
        typer.Option(help="Neural families: save a training checkpoint here every epoch."),
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Neural families: continue from --checkpoint-dir after a kill.")
    ] = False,
    device: Annotated[
        str | None, typer.Option(help="Neural families: 'cpu' (default) or 'cuda'.")
    ] = None,
    na_values: NaValues = None,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Fit a model FAMILY to DATA and save it to --out.

    Neural families scale out with PyTorch DDP:
    `torchrun --nproc-per-node 2 -m genlab fit FAMILY DATA -o DIR` (only rank 0 writes).
    """
    from genlab.core.persistence import check_writable_dir
    from genlab.core.registry import family_class
    from genlab.data.sources import open_data
    from genlab.train import is_main_process

    cls = family_class(family)
    check_not_inputs([out, checkpoint_dir], [data])
    check_folder(out)
    check_folder(checkpoint_dir, "--checkpoint-dir")
    check_writable_dir(out, "-o")  # a read-only or misplaced folder is found before the fit
    check_device(device)
    training = {"checkpoint_dir": checkpoint_dir, "resume": resume or None, "device": device}
    params = _fit_params(cls, family, set_ or [], training, seed)
    if getattr(cls, "modality", "table") == "text":  # DATA: python_code, a text file or folder
        from genlab.data.text import open_texts

        model = cls(**params).fit(open_texts(data))
        if is_main_process():
            model.save(out)
            say(f"Saved to {out}")
        return
    ds = open_data(data, label_column=label_column, na_values=na_values or ())
    model = cls(**params)
    # a family with a "progress" setting draws its own bar: no spinner over it
    with progress(f"Fitting {family} on {ds.name} ({len(ds)} rows)", "progress" not in params):
        model.fit(ds, ds.y)
    if is_main_process():  # under torchrun every rank trains; only rank 0 writes
        model.save(out)
        say(f"Saved to {out}")


def _fit_params(
    cls: type, family: str, sets: list[str], training: dict[str, Any], seed: int
) -> dict[str, Any]:
    """The hyperparameters of ``cls``: the ``--set`` values, the training options given
    (``None``: not given) and, where the family has them, the seed and the progress bar.

    Example:
        >>> import genlab
        >>> _fit_params(genlab.KDE, "kde", ["bandwidth=0.5"], {"device": None}, 0)
        {'bandwidth': 0.5, 'random_state': 0}
    """
    from genlab.core.registry import family_params

    params = _parse_sets(sets)
    defaults = {"random_state": seed, "progress": not is_quiet()}
    known = family_params(cls, {**training, **defaults}, strict=False)
    for key, value in training.items():
        if value is None:
            continue
        if key not in known:
            raise InputError(f"--{key.replace('_', '-')} applies to neural families, not {family}")
        params[key] = str(value) if isinstance(value, Path) else value
    for key, value in defaults.items():
        if key in known:
            params.setdefault(key, value)
    return family_params(cls, params)  # an unknown --set name: InputError listing the known


def _parse_sets(sets: list[str]) -> dict[str, Any]:
    """``--set key=value`` items as a dict; a value is JSON, or else the bare string.

    Example:
        >>> _parse_sets(["hidden_sizes=[64]", "bandwidth=cv"])
        {'hidden_sizes': [64], 'bandwidth': 'cv'}
    """
    params: dict[str, Any] = {}
    for item in sets:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise InputError(f"--set expects key=value, got {item!r}")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw  # a bare string such as bandwidth=cv
    return params
