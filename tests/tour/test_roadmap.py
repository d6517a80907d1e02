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


def test_a_family_with_a_tour_section_is_not_listed_as_missing():
    from genlab.tour import SECTIONS

    shown = {make.__name__.removeprefix("section_") for make in SECTIONS}
    assert {"diffusion", "gan"} <= shown
    assert not shown & {name for name, _ in roadmap.NOT_BUILT}
