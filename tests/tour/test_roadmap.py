"""The tour's last section: what the tour does not show is listed, each with whether genlab
has it."""

from __future__ import annotations

from genlab.tour import TourConfig, roadmap
from genlab.tour.context import Tour


def test_every_row_says_whether_genlab_has_it(tmp_path, monkeypatch):
    monkeypatch.setattr(
        roadmap,
        "NOT_BUILT",
        (("kde", "KDE"), ("no-such-family", "a family"), ("genlab.no_such", "a job")),
    )
    section = roadmap.section_not_built(Tour(TourConfig(tmp_path, quiet=True)))
    assert section.tables[0].columns == ["family or job", "status"]
    assert section.tables[0].rows == [
        ["KDE", "in genlab; no tour section yet"],
        ["a family", "not built yet"],
        ["a job", "not built yet"],
    ]
    assert section.status == "not built yet"


def test_nothing_missing_is_done(tmp_path, monkeypatch):
    monkeypatch.setattr(roadmap, "NOT_BUILT", (("kde", "KDE"), ("genlab.jobs.condition", "")))
    section = roadmap.section_not_built(Tour(TourConfig(tmp_path, quiet=True)))
    assert section.status == "done" and len(section.tables[0].rows) == 2
