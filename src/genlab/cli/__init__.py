"""The ``genlab`` command: fit, sample, score, compare, impute, encode, interpolate, compress,
benchmark and tour from the shell.

DATA is a bundled dataset name (see ``genlab datasets``; ``NAME:train`` / ``NAME:test`` for its
held-out split), a table (.csv, .tsv, .parquet), an array (.npy) or a folder of PNG/JPEG
images. Exit codes: 0 ok, 2 bad input (the message says what and where), 1 file-system or
internal error.

One module per job holds its commands; :mod:`genlab.cli.options` what they share. This module
puts them into one typer app and maps errors to exit codes.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import typer
from rich.markup import escape

from genlab.cli import bench, compress, density, fit, generate, impute, represent, serve, tour
from genlab.cli.options import err
from genlab.core.errors import GenlabError

app = typer.Typer(
    help="genlab: generate, condition, score, impute, represent and compress — every job a "
    "generative model does.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: command name -> function, in the order ``genlab --help`` lists them.
COMMANDS = {
    "datasets": fit.datasets,
    "fit": fit.fit,
    "sample": generate.sample,
    "score": density.score,
    "compare": density.compare,
    "impute": impute.impute,
    "impute-select": impute.impute_select,
    "bench": bench.bench,
    "encode": represent.encode,
    "interpolate": represent.interpolate,
    "tour": tour.tour,
    "compress": compress.compress,
    "decompress": compress.decompress,
    "serve": serve.serve,
}
for _name, _command in COMMANDS.items():
    app.command(_name)(_command)


def run(*args: object) -> int:
    """Run ``genlab ARGS...`` in this process and return the exit code the shell would see
    (for notebooks and tests).

    Example:
        >>> run("fit", "no_such_family", "iris", "-o", "unused")
        2
    """
    argv = sys.argv
    sys.argv = ["genlab", *map(str, args)]
    try:
        main()
    except SystemExit as e:
        return int(e.code or 0)
    finally:
        sys.argv = argv
    return 0


def main() -> None:
    """Entry point. Usage errors exit 2 (typer), genlab errors exit 2 with the message, file
    system errors exit 1 with theirs, and anything unexpected exits 1 with its traceback.
    Warnings print as ``warning: ...``: a source line (typer's, for a warning genlab
    attributes to its caller) means nothing here."""
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            app()
    except GenlabError as e:
        err.print(f"[red]error:[/red] {e}")
        sys.exit(2)
    except OSError as e:  # the file system said no (permissions, a full disk): not a bug
        err.print(f"[red]error:[/red] {escape(str(e))}")
        sys.exit(1)


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
    err.print(f"[yellow]warning:[/yellow] {escape(str(message))}")
