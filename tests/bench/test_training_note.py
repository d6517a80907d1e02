"""Rows whose training stopped at ``max_time`` say so (issue 22: time-bound rows)."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from genlab.bench.rows import TIME_BOUND, Row, add_training_note, training_note
from genlab.bench.suites import classify


def _fit(stopped_by: str, epochs: int) -> NS:
    """A stand-in for a fitted neural model: only ``train_result_`` matters here."""
    return NS(train_result_=NS(stopped_by=stopped_by, epochs=epochs))


def test_a_fit_stopped_by_max_time_is_named_with_its_epochs():
    note = training_note(_fit("max_time", 334))
    assert note == f"stopped by max_time after 334 epochs ({TIME_BOUND})"


@pytest.mark.parametrize("stopped_by", ["early_stopping", "max_epochs", "callback"])
def test_other_stops_and_untrained_models_give_no_note(stopped_by):
    assert training_note(_fit(stopped_by, 12)) == ""
    assert training_note(object(), NS(train_result_=None)) == ""  # KDE, GaussianMixture, ...
    assert training_note() == ""


def test_several_fits_count_those_cut_by_max_time():
    fits = [_fit("max_time", 40), _fit("early_stopping", 90), _fit("max_time", 55), object()]
    assert training_note(*fits) == (
        f"stopped by max_time in 2 of 3 fits, after 40-55 epochs ({TIME_BOUND})"
    )
    assert "in 1 of 2 fits, after 1 epoch (" in training_note(_fit("max_time", 1), fits[1])


def test_add_training_note_keeps_each_rows_note():
    rows = [
        Row("s", "t", "d", "m", "x", 1.0, True, note="±0.1"),
        Row("s", "t", "d", "m", "y", 2.0, True),
    ]
    add_training_note(rows, _fit("max_time", 7))
    assert [r.note for r in rows] == [
        f"±0.1; stopped by max_time after 7 epochs ({TIME_BOUND})",
        f"stopped by max_time after 7 epochs ({TIME_BOUND})",
    ]
    assert add_training_note(rows[:1], _fit("early_stopping", 7))[0].note == rows[0].note


@pytest.mark.parametrize("max_time", [1e-9, None])
def test_classify_quick_rows_say_when_max_time_stopped_training(monkeypatch, max_time):
    """The classify suite in quick mode: a tiny ``max_time`` stops its network after one
    epoch and every autoregressive row says so; without one no row does."""
    quick = {**classify.QUICK_AUTOREGRESSIVE, "max_epochs": 2, "max_time": max_time}
    monkeypatch.setattr(classify, "QUICK_AUTOREGRESSIVE", quick)
    rows = classify.autoregressive_rows(quick=True)
    assert len(rows) == len(classify.QUICK_ORDERS) + 1  # one row per order count, and genlab's
    for row in rows:
        if max_time is None:
            assert "max_time" not in row.note and TIME_BOUND not in row.note
        else:
            assert "; 1 epochs in " in row.note  # the suite's own note comes first
            assert row.note.endswith(f"; stopped by max_time after 1 epoch ({TIME_BOUND})")
