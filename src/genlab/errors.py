"""The errors genlab raises on purpose.

Every error a user can cause is a :class:`GenlabError`, so a caller can catch one
type; the CLI maps :class:`InputError` (and other user-caused errors) to exit code 2.
"""

from __future__ import annotations


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
