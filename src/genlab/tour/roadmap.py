"""The last section of the tour: the families and jobs the lecture covers that the tour does
not show, listed rather than faked: those genlab does not have yet, and those it has (the
family is registered or the module exists) that have no tour section yet. A row leaves this
list when its tour section is written."""

from __future__ import annotations

from genlab.report.html import Section, Table
from genlab.tour.context import Tour

#: Families and jobs the lecture names that the tour does not show: a family name (looked up
#: in the registry) or a module (looked up on disk), and what it is.
NOT_BUILT = (
    ("audio", "audio: waveforms and spectrograms"),
    ("genlab.web", "the web playground (FastAPI app with an interactive timeline)"),
)


def section_not_built(tour: Tour) -> Section:
    """What the lecture covers that the tour does not show, listed, not faked."""
    rows = [[what, status(name)] for name, what in NOT_BUILT]
    return Section(
        "not-built",
        "Not in the tour yet",
        "The lecture also covers these; the tour shows nothing for them rather than something "
        "made up: genlab does not have them yet, or has them without a tour section yet.",
        tables=[Table(["family or job", "status"], rows)],
        status="not built yet" if any(r[1] == "not built yet" for r in rows) else "done",
    )


def status(name: str) -> str:
    """``"not built yet"``, or ``"in genlab; no tour section yet"`` once it exists.

    Example:
        >>> status("audio"), status("kde")
        ('not built yet', 'in genlab; no tour section yet')
    """
    return "in genlab; no tour section yet" if _is_built(name) else "not built yet"


def _is_built(name: str) -> bool:
    """A registered family (a plain name) or an existing module (a dotted name).

    Example:
        >>> _is_built("kde"), _is_built("audio"), _is_built("genlab.jobs")
        (True, False, True)
    """
    from genlab.core.registry import FAMILIES

    return name in FAMILIES if "." not in name else _has_module(name)


def _has_module(name: str) -> bool:
    """True when module ``name`` exists as code (an empty folder is a namespace, not a module).

    Example:
        >>> _has_module("genlab.jobs"), _has_module("genlab.no_such_module")
        (True, False)
    """
    import importlib.util

    spec = importlib.util.find_spec(name)
    return spec is not None and spec.origin is not None
