"""``genlab tour --fast``: one run through the CLI, shared by the checks of its report."""

from __future__ import annotations

import base64
import importlib.util
import re

import pytest
from PIL import Image

import genlab
from genlab.cli import run
from genlab.tour import SECTIONS, Tour, TourConfig
from genlab.tour.roadmap import NOT_BUILT

#: The jobs of the lecture, in report order, with the figures each section must have.
FIGURES = {
    "generate": [
        "generate-data",
        "generate-digits-ar",
        "generate-digits-vae2",
        "generate-digits-hvae",
        "generate-digits-gmm",
        "generate-digits-kde",
    ],
    "condition": ["condition-classes", "condition-inpainting"],
    "density": [
        "density-contours-rings-kde",
        "density-contours-rings-gmm",
        "density-contours-rings-flow",
        "density-comparison",
        "density-anomaly-roc",
        "density-confusion",
        "density-curse",
    ],
    "impute": ["impute-wine", "impute-calibration", "impute-digits"],
    "represent": ["represent-latent-map", "represent-interpolation"],
    "compress": ["compress-bits"],
    "diffusion": [
        "diffusion-trajectory",
        "diffusion-classes",
        "diffusion-inpainting",
        "diffusion-superres",
    ],
    "gan": ["gan-classes", "gan-interpolation", "gan-mode-coverage"],
    "text": ["text-bits"],
}
MODELS = (
    "digits-ar",
    "digits-ar-classes",
    "digits-vae2",
    "digits-hvae",
    "rings-flow",
    "digits-diffusion-classes",
    "digits-diffusion-superres",
    "digits-gan-classes",
    "digits-gan",
    "code-sequence",
)


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    """One ``genlab tour --fast`` run: (exit code, output folder, index.html, report.md)."""
    out = tmp_path_factory.mktemp("tour")
    code = run("tour", "--fast", "--out", out, "--quiet")
    page = (out / "index.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    return code, out, page, md


def _section_html(page: str, key: str) -> str:
    match = re.search(rf'<section id="{key}">(.*?)</section>', page, re.S)
    assert match, f"section {key} missing from index.html"
    return match.group(1)


def test_the_run_succeeds_and_every_job_has_its_section(tour):
    code, _, page, md = tour
    assert code == 0
    assert len(FIGURES) == len(SECTIONS)
    for key in [*FIGURES, "not-built", "run"]:
        body = _section_html(page, key)
        assert "badge failed" not in body
    for number in range(1, len(SECTIONS) + 1):
        assert re.search(rf"^## {number}\. ", md, re.M), f"section {number} missing in report.md"


def test_every_figure_is_a_png_file_and_embedded_in_the_page(tour):
    _, out, page, md = tour
    for key, names in FIGURES.items():
        body = _section_html(page, key)
        embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', body)
        assert len(embedded) == len(names), key
        for name, data in zip(names, embedded, strict=True):
            path = out / "figures" / f"{name}.png"
            with Image.open(path) as image:
                assert image.format == "PNG" and min(image.size) > 50
            assert base64.b64decode(data) == path.read_bytes()
            assert f"(figures/{name}.png)" in md


def test_the_page_is_self_contained(tour):
    _, _, page, _ = tour
    assert "<script" not in page
    assert "http://" not in page and "https://" not in page
    assert not re.search(r'(src|href)="(?!data:|#)', page)


def test_sections_show_code_tables_and_measured_numbers(tour):
    _, _, page, _ = tour
    for key in FIGURES:
        body = _section_html(page, key)
        assert "<pre><code>" in body and "<table>" in body, key
    compress = _section_html(page, "compress")
    for baseline in ("gzip-9", "bz2-9", "xz-9e", "zstd-19", "png", "webp-lossless"):
        assert f"<td>{baseline}</td>" in compress
    assert "Exact round trip: yes" in compress
    assert "AUROC" in _section_html(page, "density")
    assert "Curse of dimensionality: 200 training points" in _section_html(page, "density")
    impute = _section_html(page, "impute")
    assert "coverage of 90% intervals" in impute
    assert re.search(r"<td>stack of \d mixtures, 2 refits each</td>", impute)  # fast tour
    diffusion = _section_html(page, "diffusion")
    assert "observed top halves unchanged: yes" in diffusion
    assert re.search(r"100% of 100 samples pool back to their condition", diffusion)
    gan = _section_html(page, "gan")
    assert '<td>test digits</td><td class="num">10</td>' in gan  # real digits: every class


def test_missing_families_are_listed_not_faked(tour):
    _, _, page, _ = tour
    missing = _section_html(page, "not-built")
    for name, what in NOT_BUILT:  # every one listed, with whether genlab has it
        built = name in genlab.FAMILIES or ("." in name and importlib.util.find_spec(name))
        status = "in genlab; no tour section yet" if built else "not built yet"
        assert f"<td>{what}</td><td>{status}</td>" in missing, name
    assert "genlab tour --out" in _section_html(page, "run")


def test_trained_models_are_cached_under_the_output_folder(tour):
    _, out, _, _ = tour
    for name in MODELS:
        assert (out / "models" / name / "tour.json").is_file(), name


def test_a_second_run_reuses_the_cache_and_a_changed_setting_retrains(tmp_path):
    first = Tour(TourConfig(tmp_path, fast=True, quiet=True))
    first.model("rings-kde")
    assert first.steps[-1][2] == "computed"
    again = Tour(TourConfig(tmp_path, fast=True, quiet=True))
    again.model("rings-kde")
    assert again.steps[-1][2] == "cached (earlier run)"
    reseeded = Tour(TourConfig(tmp_path, fast=True, quiet=True, seed=1))
    reseeded.model("rings-kde")
    assert reseeded.steps[-1][2] == "computed"


def test_a_bad_budget_is_a_usage_error(tmp_path, capsys):
    assert run("tour", "--fast", "--out", tmp_path, "--budget", "0", "-q") == 2
    assert "budget" in capsys.readouterr().err
