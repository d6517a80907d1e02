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


#: Why a row whose training hit ``max_time`` may differ on another machine.
TIME_BOUND = "time-bound: depends on the machine's speed"


def training_note(*models: object) -> str:
    """Says when the training of ``models`` (the fits behind one row) stopped at ``max_time``.

    A fit stopped by its time guard trains fewer epochs on a slower or busier machine, so the
    row depends on where it ran; the note says so. ``""`` when no fit hit the guard, including
    models that do not train (no ``train_result_``).

    Example:
        >>> from types import SimpleNamespace as NS
        >>> training_note(NS(train_result_=NS(stopped_by="max_time", epochs=334)))
        "stopped by max_time after 334 epochs (time-bound: depends on the machine's speed)"
        >>> training_note(NS(train_result_=NS(stopped_by="early_stopping", epochs=90)), object())
        ''
    """
    results = [r for r in (getattr(m, "train_result_", None) for m in models) if r is not None]
    hit = [r.epochs for r in results if r.stopped_by == "max_time"]
    if not hit:
        return ""
    if len(results) == 1:
        return f"stopped by max_time after {_epochs(hit[0])} ({TIME_BOUND})"
    span = _epochs(hit[0]) if min(hit) == max(hit) else f"{min(hit)}-{max(hit)} epochs"
    fits = f"{len(hit)} of {len(results)} fits"
    return f"stopped by max_time in {fits}, after {span} ({TIME_BOUND})"


def _epochs(n: int) -> str:
    return f"{n} epoch" + ("" if n == 1 else "s")


def join_notes(*notes: str) -> str:
    """The non-empty ``notes`` joined by ``"; "``.

    Example:
        >>> join_notes("±0.01", "", "exact")
        '±0.01; exact'
    """
    return "; ".join(note for note in notes if note)


def add_training_note(rows: list[Row], *models: object) -> list[Row]:
    """``rows`` (changed in place) with :func:`training_note` of ``models`` added to each
    row's note."""
    note = training_note(*models)
    for row in rows:
        row.note = join_notes(row.note, note)
    return rows
