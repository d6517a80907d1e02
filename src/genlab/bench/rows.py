"""One benchmark measurement, in the ``results.json`` format of DESIGN.md."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Row:
    """A single measured value: one method, one dataset, one metric.

    Example:
        >>> Row("kde-speed", "density", "gauss-d2", "genlab.KDE", "seconds", 0.4, False).metric
        'seconds'
    """

    suite: str
    task: str
    dataset: str
    method: str
    metric: str
    value: float
    higher_is_better: bool
    seconds: float | None = None
    note: str = ""
    #: The value a calibration metric should match (``coverage90``: 0.9); when set, the best
    #: value is the closest to it and ``higher_is_better`` only says which side is safer.
    target: float | None = None

    def to_dict(self) -> dict:
        """The row as a ``results.json`` entry (``target`` only where there is one)."""
        row = asdict(self)
        if row["target"] is None:
            del row["target"]
        return row
