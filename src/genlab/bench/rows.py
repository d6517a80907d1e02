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

    def to_dict(self) -> dict:
        return asdict(self)
