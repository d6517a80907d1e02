"""What every ``genlab`` command shares: the ``--quiet`` switch (declared and handled here,
once), the common arguments, progress and messages on stderr, and outputs checked before any
work and then written.

A command declares ``quiet: Quiet = False``; the option's callback records the value as the
command line is parsed, so the helpers here (and :func:`is_quiet`) know it without each command
passing it on.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console

from genlab.core.errors import InputError

err = Console(stderr=True)
OUTPUT_FORMATS = (".csv", ".parquet", ".npy", ".png")  # what jobs.generate.write_samples writes
TABLE_FORMATS = (".csv", ".parquet")

_state = {"quiet": False}


def _record_quiet(value: bool) -> bool:
    """The ``--quiet`` callback: typer calls it on every run of a command that declares the
    option, default included, so a quiet run never leaks into the next one in this process."""
    _state["quiet"] = value
    return value


def is_quiet() -> bool:
    """Whether the running command was given ``--quiet``."""
    return _state["quiet"]


Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress or summary output.", callback=_record_quiet),
]
Seed = Annotated[
    int, typer.Option("--seed", min=0, help="Random seed, >= 0 (results are reproducible).")
]
ModelDir = Annotated[Path, typer.Argument(help="Folder of a saved model.")]
Data = Annotated[str, typer.Argument(help="Bundled dataset name, table, .npy or image folder.")]


@contextlib.contextmanager
def progress(message: str, spinner: bool = True) -> Iterator[None]:
    """A spinner with elapsed time while ``message``'s work runs (hidden with --quiet).

    ``spinner=False`` when the work shows its own progress bar (neural training)."""
    if is_quiet():
        yield
        return
    start = time.perf_counter()
    with err.status(f"{message}…") if spinner else contextlib.nullcontext():
        yield
    err.print(f"[green]✓[/green] {message} ({time.perf_counter() - start:.1f} s)")


def say(message: str) -> None:
    """Print ``message`` on stderr unless --quiet."""
    if not is_quiet():
        err.print(message)


def label_like(text: str, classes: np.ndarray | None) -> Any:
    """A command-line label, converted to the type of the model's classes.

    Example:
        >>> label_like("2", np.array([1, 2]))
        np.int64(2)
        >>> label_like("b", None)
        'b'
    """
    if classes is not None:
        for c in classes:
            if str(c) == text:
                return c
    return text


def check_out(out: Path, schema: Any = None, formats: tuple[str, ...] = OUTPUT_FORMATS) -> None:
    """Refuse, before any work, an output path of a format that cannot be written (a .png of a
    table included, given the data's ``schema``).

    Example:
        >>> check_out(Path("lp.txt"), formats=TABLE_FORMATS)
        Traceback (most recent call last):
        ...
        genlab.core.errors.InputError: unknown output format '.txt' of lp.txt: use .csv, .parquet
    """
    from genlab.jobs.generate import check_output

    suffix = out.suffix.lower()
    if suffix not in formats:
        raise InputError(f"unknown output format {suffix!r} of {out}: use {', '.join(formats)}")
    if suffix == ".png":
        check_output(out, schema)  # a picture needs images


def check_folder(path: Path | None, option: str = "--out") -> None:
    """Refuse, before any work, a folder option that names an existing file."""
    if path is not None and path.exists() and not path.is_dir():
        raise InputError(f"{option} {path} is a file, not a folder")
