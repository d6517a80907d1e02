"""The registry of model families: name (as ``genlab fit NAME`` takes it) -> class.

A family registers itself by being defined: :class:`~genlab.core.model.GenerativeModel`
registers every subclass that sets its own ``family`` name. Jobs find candidate families here
by name, so no job imports a concrete family, and the registry imports none either (no cycle:
the families import the core, never the other way round). ``import genlab`` defines them all.

Example:
    >>> import genlab
    >>> family_class("kde") is genlab.KDE
    True
    >>> "gmm" in families_with("impute")
    True
"""

from __future__ import annotations

from typing import Any

from genlab.core.errors import InputError

#: family name -> class, in the order the families were defined.
FAMILIES: dict[str, type] = {}


def register(cls: type) -> type:
    """Add ``cls`` under its own ``family`` name (subclasses that only inherit one are not)."""
    name = cls.__dict__.get("family")
    if name:
        FAMILIES[name] = cls
    return cls


def family_class(name: Any) -> type:
    """The class registered as ``name``; InputError naming the known families otherwise."""
    cls = FAMILIES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise InputError(f"unknown family {name!r}; available: {sorted(FAMILIES)}")
    return cls


def families_with(*attributes: str) -> list[str]:
    """Names of the families with any of ``attributes``: a capability (``"impute"``, ...) or
    a class flag set to True (``"fits_missing"``)."""
    return sorted(
        name
        for name, cls in FAMILIES.items()
        if cls.capabilities.intersection(attributes)
        or any(getattr(cls, a, False) is True for a in attributes)
    )


def family_params(cls: type, params: dict[str, Any], *, strict: bool = True) -> dict[str, Any]:
    """The entries of ``params`` that are hyperparameters of ``cls``.

    With ``strict`` (the default), an unknown name is an InputError that lists the known ones;
    otherwise unknown names are dropped (settings meant for other families).

    Example:
        >>> import genlab
        >>> family_params(genlab.KDE, {"bandwidth": 1.0, "hidden": 8}, strict=False)
        {'bandwidth': 1.0}
    """
    known = set(cls().get_params())
    unknown = sorted(set(params) - known)
    if unknown and strict:
        raise InputError(
            f"{cls.__name__} has no hyperparameter(s) {unknown}; it has {sorted(known)}"
        )
    return {k: v for k, v in params.items() if k in known}
