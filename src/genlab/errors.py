"""The errors genlab raises on purpose, and its warnings.

Every error a user can cause is a :class:`GenlabError`, so a caller can catch one
type; the CLI maps :class:`InputError` (and other user-caused errors) to exit code 2.
Warnings go through :func:`warn`, which names the user's line rather than genlab's.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

_PACKAGE = str(Path(__file__).resolve().parent)


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` attributed to the first caller outside genlab: a warning raised deep
    in a fit reached through ``genlab.impute`` points at the user's call, not at our code.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn("careful", RuntimeWarning)
        >>> caught[0].filename.endswith("errors.py"), caught[0].category.__name__
        (False, 'RuntimeWarning')
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)


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
