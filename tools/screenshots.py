"""The README's three playground screenshots (Generate, Compress, Timeline), made by driving
the real app in Debian's chromium with Playwright:

    .venv/bin/python tools/screenshots.py docs/screenshots [--models DIR]

It serves MODELS (default ``runs/tour/models``; when that holds no model, the quick models
are trained first into a temporary folder, a few seconds) on a free loopback port, does on
each page what a person would, and writes ``generate.png``, ``compress.png`` and
``timeline.png``. Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``) and the dev
extra (playwright).
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import uvicorn
from playwright.sync_api import sync_playwright

import genlab
from genlab.web import create_app
from genlab.web.store import ModelStore

ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]


def serve(models: Path) -> tuple[uvicorn.Server, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(models, bootstrap=False), port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def shoot(base: str, out: Path, work: Path) -> list[Path]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        page = browser.new_page(base_url=base, viewport={"width": 1100, "height": 760})
        page.goto("/generate")
        page.wait_for_selector("#generate-form select[name=model] option", state="attached")
        conditional = [
            o
            for o in page.eval_on_selector_all(
                "#generate-form select[name=model] option", "os => os.map(o => o.value)"
            )
            if "gmm" in o
        ]
        if conditional:
            page.select_option("#generate-form select[name=model]", conditional[0])
        page.click("#generate-form button[type=submit]")
        page.wait_for_selector("#generate-out img, #generate-out table")
        page.screenshot(path=str(out / "generate.png"), full_page=True)

        np.save(work / "digits.npy", genlab.load_dataset("digits").split()[1].X[:100])
        page.goto("/compress")
        page.wait_for_selector("#compress-form select[name=model] option", state="attached")
        page.set_input_files("#compress-form input[name=files]", str(work / "digits.npy"))
        page.click("#compress-form button[type=submit]")
        page.wait_for_selector("#glz-link", timeout=120_000)
        page.screenshot(path=str(out / "compress.png"), full_page=True)

        page.goto("/timeline")
        page.wait_for_selector(".tl-item")
        page.click("#tl-view")
        for _ in range(13):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        page.screenshot(path=str(out / "timeline.png"), full_page=True)
        browser.close()
    return [out / f"{n}.png" for n in ("generate", "compress", "timeline")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("docs/screenshots"))
    parser.add_argument("--models", type=Path, default=Path("runs/tour/models"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        models = args.models
        if not ModelStore(models).names():
            models = Path(tmp) / "models"
            store = ModelStore(models)
            store.bootstrap().join()
        server, base = serve(models)
        try:
            for path in shoot(base, args.out, Path(tmp)):
                print(path)
        finally:
            server.should_exit = True


if __name__ == "__main__":
    main()
