"""Checks every ``genlab`` command makes before any work: no output may be one of its inputs,
an output has its format's suffix, a request fits in memory, and ``--device`` names a device.

Example:
    >>> import tempfile
    >>> data = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = data.write_text("a\\n1\\n")
    >>> try:
    ...     check_not_inputs([data], [str(data)])
    ... except InputError as error:
    ...     print("refused:", "is the input" in str(error))
    refused: True
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from genlab.core.errors import InputError

NaValues = Annotated[
    list[str] | None,
    typer.Option(
        "--na-values",
        help="More cells to read as missing in DATA, in every column (repeatable). Empty cells "
        "are always missing; NA, N/A, null, NaN... only in columns that are otherwise numbers.",
    ),
]

#: Devices ``--device`` accepts (``cuda:1`` names one GPU).
DEVICES = ("cpu", "cuda", "mps")


def check_not_inputs(outputs: Iterable[Path | None], inputs: Iterable[str | Path | None]) -> None:
    """Refuse, before any work, an output that resolves (symlinks followed) to an input, or
    lies inside an input folder (a model or image folder): writing it would change the input.

    ``inputs`` may hold bundled dataset names and None: only existing paths count.
    """
    sources = [(str(i), Path(i).resolve()) for i in inputs if i is not None and Path(i).exists()]
    for out in outputs:
        if out is None:
            continue
        target = Path(out).resolve()
        for name, source in sources:
            if target == source or (source.is_dir() and source in target.parents):
                raise InputError(
                    f"output {out} is the input {name} (or inside it): choose another output "
                    "path, so the input is not overwritten"
                )


def check_suffix(out: Path, suffix: str, option: str = "--out") -> None:
    """Refuse an output whose name does not end in its format's ``suffix``.

    Example:
        >>> check_suffix(Path("x.csv"), ".glz")
        Traceback (most recent call last):
        ...
        genlab.core.errors.InputError: --out x.csv: this output is a .glz file; name it x.glz
    """
    if out.suffix.lower() != suffix:
        raise InputError(
            f"{option} {out}: this output is a {suffix} file; name it {out.with_suffix(suffix)}"
        )


def check_memory(n_values: int, what: str, itemsize: int = 8) -> None:
    """Refuse, before allocating, a request of ``n_values`` numbers that would not fit in half
    of this machine's memory, saying the size it would need.

    Example:
        >>> check_memory(10**15, "-n 10**14 samples")
        Traceback (most recent call last):
        ...
        genlab.core.errors.InputError: -n 10**14 samples would need 8e+06 GB of memory, ...
    """
    need = int(n_values) * itemsize
    if need > _memory_bytes() // 2:
        raise InputError(
            f"{what} would need {need / 1e9:.3g} GB of memory, more than half of this machine's "
            f"{_memory_bytes() / 1e9:.3g} GB: ask for fewer"
        )


def check_device(device: str | None) -> None:
    """Refuse a ``--device`` that is not ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.

    Example:
        >>> check_device("tpu")
        Traceback (most recent call last):
        ...
        genlab.core.errors.InputError: --device 'tpu' is not a device: use cpu, cuda, cuda:N or mps
    """
    if device is None:
        return
    kind, _, index = device.partition(":")
    if kind not in DEVICES or (index and (kind != "cuda" or not index.isdigit())):
        raise InputError(f"--device {device!r} is not a device: use cpu, cuda, cuda:N or mps")


def numbered_files(out: Path, count: int) -> list[Path]:
    """The ``count`` files ``OUT-1``, ``OUT-2``, ... that ``--multiple M --files`` writes.

    Example:
        >>> [p.name for p in numbered_files(Path("out/x.csv"), 2)]
        ['x-1.csv', 'x-2.csv']
    """
    return [out.with_name(f"{out.stem}-{m}{out.suffix}") for m in range(1, count + 1)]


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not on POSIX: assume 16 GB
        return 16 * 2**30
