"""The tour's last job section: what is not built yet is listed, and what is built is not."""

from __future__ import annotations

from genlab.tour import TourConfig, roadmap
from genlab.tour.context import Tour


def test_only_what_is_missing_is_listed(tmp_path, monkeypatch):
    monkeypatch.setattr(
        roadmap,
        "NOT_BUILT",
        (("kde", "KDE"), ("no-such-family", "a family"), ("genlab.no_such", "a job")),
    )
    section = roadmap.section_not_built(Tour(TourConfig(tmp_path, quiet=True)))
    assert section.tables[0].columns == ["family or job", "status"]
    assert [row[0] for row in section.tables[0].rows] == ["a family", "a job"]
    assert section.status == "not built yet"


def test_nothing_missing_is_done(tmp_path, monkeypatch):
    monkeypatch.setattr(roadmap, "NOT_BUILT", (("kde", "KDE"), ("genlab.jobs.condition", "")))
    section = roadmap.section_not_built(Tour(TourConfig(tmp_path, quiet=True)))
    assert section.tables[0].rows == [] and section.status == "done"
