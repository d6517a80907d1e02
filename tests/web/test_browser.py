"""Every page in a real browser (Debian's chromium driven by Playwright): a person's clicks,
drags and keys, and a check of what the page then shows. Screenshots are kept in a pytest
temporary folder (``screens``). Skipped only when chromium is missing and
``GENLAB_REQUIRE_BROWSER`` is unset (CI sets it, so there a missing browser fails)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import genlab

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]

if not Path(CHROMIUM).exists():
    if os.environ.get("GENLAB_REQUIRE_BROWSER"):
        raise RuntimeError(f"GENLAB_REQUIRE_BROWSER is set but {CHROMIUM} is missing")
    pytest.skip(
        f"{CHROMIUM} is not installed (apt-get install -y chromium)", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screens")


@pytest.fixture
def page(browser, live_server, screens, request):
    context = browser.new_context(base_url=live_server, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    pg.screenshot(path=str(screens / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def rendered(pg, selector: str) -> int:
    """How many images matching ``selector`` have decoded with a non-zero size."""
    return pg.eval_on_selector_all(
        selector, "els => els.filter(e => e.complete && e.naturalWidth > 0).length"
    )


def test_home_links_every_page_and_the_nav_works(page):
    page.goto("/")
    for name in (
        "Generate",
        "Inpaint",
        "Interpolate",
        "Density",
        "Impute",
        "Compress",
        "Train",
        "Timeline",
    ):
        assert page.locator("#page-home .cards a", has_text=name).count() == 1
    page.locator("#nav a", has_text="Compress").click()
    page.wait_for_url("**/compress")
    assert (
        page.locator("#page-compress").is_visible() and not page.locator("#page-home").is_visible()
    )


def test_generate_renders_a_grid_of_the_chosen_class(page):
    page.goto("/generate")
    page.wait_for_selector(
        "#generate-form select[name=model] option[value=digits-gmm]", state="attached"
    )
    page.select_option("#generate-form select[name=model]", "digits-gmm")
    page.select_option("#generate-form select[name=condition]", "3")
    page.click("#generate-form input[name=seed]", click_count=3)
    page.keyboard.type("7")
    page.click("#generate-form button[type=submit]")
    page.wait_for_function("document.querySelectorAll('#generate-out img.sample').length === 16")
    assert rendered(page, "#generate-out img.sample") == 16
    assert "m.sample(16, condition=3, random_state=7)" in page.inner_text("#code-python")
    assert "genlab sample" in page.inner_text("#code-cli")


def test_inpaint_fills_pixels_masked_with_the_mouse(page):
    page.goto("/inpaint")
    page.wait_for_selector(
        "#inpaint-form select[name=model] option[value=digits-gmm]", state="attached"
    )
    page.select_option("#inpaint-form select[name=model]", "digits-gmm")
    box = page.locator("#inpaint-canvas").bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 5, box["y"] + box["height"] * 0.9, steps=20)
    page.mouse.up()
    page.click("#inpaint-form button[type=submit]")
    page.wait_for_selector("#inpaint-check")
    assert rendered(page, "#inpaint-out img.draw") == 4
    assert page.inner_text("#inpaint-check") == "observed pixels unchanged in every draw"


def test_interpolate_slider_walks_the_path(page):
    page.goto("/interpolate")
    page.wait_for_selector("#interpolate-form select[name=model] option", state="attached")
    page.click("#interpolate-form button[type=submit]")
    page.wait_for_selector("#interpolate-slider")
    first = page.get_attribute("#interpolate-point", "src")
    page.focus("#interpolate-slider")
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    last = page.get_attribute("#interpolate-point", "src")
    strip = page.eval_on_selector_all("#interpolate-out img.step", "els => els.map(e => e.src)")
    assert first == strip[0] and last == strip[-1] and first != last


def test_density_scores_an_uploaded_csv_and_compares_models(page, tmp_path):
    X = genlab.load_dataset("wine").split()[1].X.copy()
    X.iloc[0] = X.iloc[0] * 40
    X.to_csv(tmp_path / "wine.csv", index=False)
    page.goto("/density")
    page.wait_for_selector(
        "#density-form select[name=model] option[value=wine-gmm]", state="attached"
    )
    page.select_option("#density-form select[name=model]", "wine-gmm")
    page.set_input_files("#density-form input[name=file]", str(tmp_path / "wine.csv"))
    page.click("#density-form button[type=submit]")
    page.wait_for_selector("#density-summary")
    assert page.inner_text("#density-summary").startswith(f"upload.csv: {len(X)} rows")
    assert "false_positive_rate=0.05" in page.inner_text("#density-rule")
    assert page.locator("#density-hist rect").count() == 20
    assert page.locator("#density-out tr.anomaly td").first.inner_text() == "0"
    page.select_option("#compare-form select[name=a]", "digits-gmm")
    page.select_option("#compare-form select[name=b]", "digits-kde")
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#compare-out table")
    assert page.locator("#compare-out tr").count() == 3


def test_bad_upload_shows_a_message_not_a_trace(page, tmp_path):
    (tmp_path / "junk.csv").write_bytes(b"\x00\xff\xfe")
    page.goto("/density")
    page.wait_for_selector(
        "#density-form select[name=model] option[value=wine-gmm]", state="attached"
    )
    page.set_input_files("#density-form input[name=file]", str(tmp_path / "junk.csv"))
    page.click("#density-form button[type=submit]")
    page.wait_for_selector("#error:not([hidden])")
    text = page.inner_text("#error")
    assert "cannot parse" in text and "Traceback" not in text


def test_impute_downloads_a_completed_table(page):
    page.goto("/impute")
    page.click("#impute-sample")
    page.wait_for_function(
        "document.querySelector('#impute-form input[name=file]').files.length === 1"
    )
    page.click("#impute-form button[type=submit]")
    page.wait_for_selector("#impute-table td.imputed")
    assert "[" in page.locator("#impute-table td.imputed").first.inner_text()  # an interval
    with page.expect_download() as info:
        page.click("text=download completed.csv")
    done = pd.read_csv(info.value.path())
    assert done.shape == genlab.load_dataset("wine").X.shape and not done.isna().any().any()


def test_compress_download_decodes_back_to_the_original(page, tmp_path):
    X = genlab.load_dataset("digits").split()[1].X[:10]
    np.save(tmp_path / "digits.npy", X)
    page.goto("/compress")
    page.wait_for_selector("#compress-form select[name=model] option", state="attached")
    page.set_input_files("#compress-form input[name=files]", str(tmp_path / "digits.npy"))
    page.click("#compress-form button[type=submit]")
    with page.expect_download() as info:
        page.click("#glz-link")
    glz = tmp_path / "data.glz"
    info.value.save_as(glz)
    assert "gzip" in page.inner_text("#compress-out")
    page.set_input_files("#decompress-form input[name=file]", str(glz))
    page.click("#decompress-form button[type=submit]")
    page.wait_for_selector("#decompress-summary")
    assert rendered(page, "#decompress-out img.decoded") == 10
    with page.expect_download() as info:
        page.click("text=download data.npy")
    back = np.load(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert np.array_equal(back, X)


def test_train_shows_progress_and_the_model_joins_the_other_pages(page):
    page.goto("/train")
    page.select_option("#train-form select[name=family]", "gmm")
    page.select_option("#train-form select[name=dataset]", "iris")
    page.click("#train-form button[type=submit]")
    page.wait_for_selector("#train-done", timeout=60_000)
    name = page.inner_text("#train-done").removeprefix("saved as ")
    assert page.get_attribute("#train-bar", "value") == "1"
    options = page.eval_on_selector_all(
        "#generate-form select[name=model] option", "os => os.map(o => o.value)"
    )
    assert name in options


def test_timeline_filters_navigates_by_keyboard_and_opens_a_milestone(page, live_server):
    milestones = json.loads(page.request.get(live_server + "/api/timeline").text())["milestones"]
    gans = sorted((m for m in milestones if m["family"] == "gan"), key=lambda m: m["year"])
    page.goto("/timeline")
    page.wait_for_selector(".tl-item")
    assert page.locator(".tl-item").count() == len(milestones)
    page.select_option("#tl-family", "gan")
    assert page.locator(".tl-item").count() == len(gans)
    page.click("#tl-view")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert page.inner_text("#tl-title") == f"{gans[1]['year']} — {gans[1]['name']}"
    assert page.get_attribute("#tl-live", "href") == "/generate"
    before = page.locator(".tl-item").first.bounding_box()["x"]
    page.keyboard.press("+")
    after = page.locator(".tl-item").first.bounding_box()["x"]
    assert after != before  # zoomed
    box = page.locator("#tl-view").bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 240)
    page.mouse.down()
    page.mouse.move(box["x"] + 100, box["y"] + 240, steps=5)
    page.mouse.up()
    assert page.locator(".tl-item").first.bounding_box()["x"] == pytest.approx(after - 200, abs=2)
    page.select_option("#tl-family", "energy")
    page.click(".tl-item >> nth=0")
    assert "Not in genlab" in page.inner_text("#tl-live")
    page.click("#tl-family")
    page.select_option("#tl-family", "gan")
    page.keyboard.press("Escape")
    page.click(".tl-item >> nth=0")
    page.click("#tl-live")
    page.wait_for_url("**/generate")
