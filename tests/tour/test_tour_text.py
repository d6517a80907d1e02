"""The tour's text and code section on its own (``--fast`` sizes): a completion, the held-out
file against standard compressors with an exact round trip, and the cached model."""

from __future__ import annotations

import pytest

from genlab.tour import TourConfig
from genlab.tour import text as tour_text
from genlab.tour.context import Tour


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    out = tmp_path_factory.mktemp("text")
    tour = Tour(TourConfig(out, fast=True, quiet=True))
    return out, tour, tour_text.section_text(tour)


def test_section_shows_a_completion_and_the_compressors(first):
    out, tour, section = first
    assert section.key == "text" and section.status == "done"
    assert tour_text.PROMPT in section.code
    assert "Exact round trip: yes" in section.notes[0]
    table = section.tables[0]
    names = [r[0] for r in table.rows]
    assert sorted(names) == sorted([tour_text.GENLAB, "gzip-9", "bz2-9", "xz-9e", "zstd-19"])
    for _, size, bits, _ in table.rows:
        assert bits == pytest.approx(8 * size / tour_text.HELD_OUT_BYTES_FAST)
    assert (out / "figures" / "text-bits.png").is_file()
    assert tour.steps[0][0] == f"train {tour_text.NAME}" and tour.steps[0][2] == "computed"


def test_a_second_run_reuses_the_model_and_other_texts_retrain(first):
    out, _, _ = first
    again = Tour(TourConfig(out, fast=True, quiet=True))
    texts = tour_text._training_texts([b"x = 1\n" * 5000], fast=True)
    model = tour_text.fitted_model(again, texts)  # other texts: trained again
    assert again.steps[-1][2] == "computed"
    cached = tour_text.fitted_model(again, texts)
    assert again.steps[-1][2] == "cached (earlier run)"
    assert cached.get_params() == model.get_params()
    assert tour_text.cache_key(model, texts) != tour_text.cache_key(model, [*texts[:-1], b"y"])


def test_training_texts_stop_at_the_byte_budget():
    texts = tour_text._training_texts([b"a" * 50_000, b"b" * 50_000, b"c" * 9], fast=True)
    assert [len(t) for t in texts] == [50_000, tour_text.TRAIN_BYTES_FAST - 50_000]
