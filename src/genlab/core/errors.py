"""The errors genlab raises on purpose, and its warnings.

Every error a user can cause is a :class:`GenlabError`, so a caller can catch one
type; the CLI maps :class:`InputError` (and other user-caused errors) to exit code 2.
Warnings go through :func:`warn`, which names the user's line rather than genlab's.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

_PACKAGE = str(Path(__file__).resolve().parent.parent)  # the genlab package


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` attributed to the first caller outside genlab: a warning raised deep
    in a fit reached through ``genlab.impute`` points at the user's call, not at our code.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn("careful", RuntimeWarning)
        >>> caught[0].filename.endswith("core/errors.py"), caught[0].category.__name__
        (False, 'RuntimeWarning')
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)


def recording_warnings(
    fn: Callable[..., Any], *args: Any
) -> tuple[Any, list[tuple[type[Warning], str]]]:
    """``fn(*args)`` and the warnings it raised, as ``(category, message)`` pairs: work done in
    joblib processes hands its warnings back this way (a worker's own would print from the
    worker, once per task), and the caller says each once, with :func:`warn`.

    Example:
        >>> recording_warnings(warnings.warn, "careful")
        (None, [(<class 'UserWarning'>, 'careful')])
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args)
    return result, [(w.category, str(w.message)) for w in caught]


#: A summary that :func:`summarize_warnings` wrote: "<message> (<count>x over <n> <runs>)".
_SUMMARY = re.compile(r"^(.*) \((\d+)x over \d+ [^()]*\)$", re.DOTALL)


def summarize_warnings(caught: list[tuple[type[Warning], str]], n_runs: int, runs: str) -> None:
    """Say each distinct warning of ``n_runs`` repeated runs (fits, refits) once, with how
    often it came, instead of once per run. A warning that is itself such a summary (runs
    nested in runs) adds its count.

    Example:
        >>> caught = [(UserWarning, "slow"), (UserWarning, "slow (2x over 4 refits)")]
        >>> with warnings.catch_warnings(record=True) as said:
        ...     warnings.simplefilter("always")
        ...     summarize_warnings(caught, 8, "fits")
        >>> [str(w.message) for w in said]
        ['slow (3x over 8 fits)']
    """
    counts: dict[tuple[type[Warning], str], int] = {}
    for category, message in caught:
        nested = _SUMMARY.match(message)
        key = (category, nested.group(1) if nested else message)
        counts[key] = counts.get(key, 0) + (int(nested.group(2)) if nested else 1)
    for (category, message), count in counts.items():
        warn(f"{message} ({count}x over {n_runs} {runs})", category)


class GenlabError(Exception):
    """Base class of every error genlab raises on purpose."""


class InputError(GenlabError, ValueError):
    """Bad input data or argument; the message names the row/column at fault.

    Example:
        >>> import genlab
        >>> try:
        ...     genlab.KDE().fit([[1.0, float("nan")]] * 0)
        ... except genlab.InputError as e:
        ...     print("caught")
        caught
    """


class CapabilityError(GenlabError, NotImplementedError):
    """The model cannot do what was asked; the message names families that can."""


class ModelFileError(GenlabError, OSError):
    """A saved model or compressed file is missing, damaged, or from an incompatible version."""


class NotFittedError(GenlabError, AttributeError):
    """A method that needs a fitted model was called before ``fit``."""
