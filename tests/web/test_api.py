"""The playground's JSON API, route by route, with FastAPI's test client."""

from __future__ import annotations

import base64
import io
import time

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from PIL import Image

import genlab
from genlab.web import create_app


def pixels(url: str) -> np.ndarray:
    """A PNG data URL back to its 8x8 gray levels (the page enlarges each pixel 8x)."""
    img = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    return np.asarray(img)[::8, ::8]


def npy(X: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, X)
    return buf.getvalue()


TEST_DIGITS = genlab.load_dataset("digits").split()[1].X


def test_models_lists_every_saved_model_with_capabilities(client):
    body = client.get("/api/models").json()
    names = {m["name"]: m for m in body["models"]}
    assert {"digits-gmm", "digits-ar", "digits-vae2", "wine-gmm"} <= set(names)
    assert "compress" in names["digits-ar"]["capabilities"]
    assert names["digits-gmm"]["classes"] == list(range(10))


def test_generate_draws_the_asked_number_reproducibly(client):
    req = {"model": "digits-gmm", "n": 6, "seed": 3, "condition": 7}
    first, again = (
        client.post("/api/generate", json=req).json(),
        client.post("/api/generate", json=req).json(),
    )
    assert len(first["images"]) == 6 and first["images"] == again["images"]
    other = client.post("/api/generate", json={**req, "seed": 4}).json()
    assert other["images"] != first["images"]
    assert "m.sample(6, condition=7, random_state=3)" in first["python"]
    assert "--condition 7" in first["cli"]


def test_generate_tables_answers_rows(client):
    body = client.post("/api/generate", json={"model": "wine-gmm", "n": 3}).json()
    assert len(body["rows"]) == 3 and body["columns"][0] == "alcohol"


@pytest.mark.parametrize(
    ("req", "words"),
    [
        ({"model": "../etc/passwd", "n": 2}, "no model named"),
        ({"model": "wine-gmm", "n": 2, "condition": 1}, "without labels"),
    ],
)
def test_generate_refuses_bad_requests_with_a_message(client, req, words):
    r = client.post("/api/generate", json=req)
    assert r.status_code == 400 and words in r.json()["error"]


def test_generate_validates_numbers(client):
    r = client.post("/api/generate", json={"model": "digits-gmm", "n": 10_000})
    assert r.status_code == 422 and "n" in r.json()["error"]


def test_inpaint_fills_masked_pixels_and_keeps_observed_ones(client):
    mask = [i >= 32 for i in range(64)]
    body = client.post(
        "/api/inpaint", json={"model": "digits-gmm", "index": 5, "mask": mask, "draws": 3}
    ).json()
    assert body["observed_unchanged"] is True and len(body["draws"]) == 3
    original = pixels(client.get("/api/digit/5").json()["png"])
    draws = [pixels(d) for d in body["draws"]]
    for d in draws:
        assert np.array_equal(d[:4], original[:4])  # top half observed
    assert any(not np.array_equal(d[4:], draws[0][4:]) for d in draws[1:])  # several draws


def test_inpaint_refuses_a_mask_of_the_wrong_size(client):
    r = client.post("/api/inpaint", json={"model": "digits-gmm", "mask": [True] * 10})
    assert r.status_code == 400 and "64" in r.json()["error"]


def test_interpolate_walks_the_latent_path(client):
    body = client.post(
        "/api/interpolate", json={"model": "digits-vae2", "a": 0, "b": 1, "steps": 5}
    ).json()
    assert len(body["path"]) == 5 and body["path"][0] != body["path"][-1]
    r = client.post("/api/interpolate", json={"model": "digits-gmm", "a": 0, "b": 1})
    assert r.status_code == 400 and "latent" in r.json()["error"]


def test_density_scores_the_bundled_test_split_and_flags_an_outlier(client):
    X = genlab.load_dataset("wine").split()[1].X.copy()
    X.iloc[0] = X.iloc[0] * 40  # far from every wine
    csv = X.to_csv(index=False).encode()
    body = client.post(
        "/api/density", data={"model": "wine-gmm"}, files={"file": ("w.csv", csv)}
    ).json()
    assert len(body["log_prob"]) == len(X) and body["anomaly"][0] is True
    assert sum(body["anomaly"]) < len(X) / 4
    assert "false_positive_rate=0.05" in body["threshold_rule"]
    assert sum(body["histogram"]["counts"]) == len(X)
    bundled = client.post("/api/density", data={"model": "wine-gmm"}).json()
    assert bundled["data"] == "wine:test"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("notes.txt", b"hello", "unsupported file type"),
        ("bad.csv", b"\x00\xff\xfe junk", "cannot parse"),
        ("empty.csv", b"", "is empty"),
        ("bad.npy", b"not an array", "bad.npy"),
    ],
)
def test_density_refuses_bad_uploads_with_a_clear_message(client, name, content, words):
    r = client.post("/api/density", data={"model": "wine-gmm"}, files={"file": (name, content)})
    assert 400 <= r.status_code < 500 and words in r.json()["error"]
    assert "Traceback" not in r.text


def test_compare_ranks_two_models(client):
    body = client.post("/api/compare", data={"a": "digits-kde", "b": "digits-gmm"}).json()
    assert len(body["rows"]) == 2 and body["rows"][0][1] <= body["rows"][1][1]
    assert client.post("/api/compare", data={"a": "wine-gmm", "b": "wine-gmm"}).status_code == 400


def test_impute_fills_every_hole_and_keeps_observed_entries(client):
    csv = client.get("/api/impute/example").json()["csv"]
    holes = pd.read_csv(io.StringIO(csv))
    body = client.post(
        "/api/impute", files={"file": ("h.csv", csv)}, data={"multiple": "4", "level": "0.8"}
    ).json()
    done = pd.read_csv(io.StringIO(body["completed_csv"]))
    assert not done.isna().any().any() and body["n_holes"] == int(holes.isna().sum().sum())
    seen = holes.notna().to_numpy()
    assert np.allclose(done.to_numpy()[seen], holes.to_numpy()[seen])
    long = pd.read_csv(io.StringIO(body["multiple_csv"]))
    assert len(long) == 4 * len(holes) and sorted(long["imputation"].unique()) == [1, 2, 3, 4]
    cells = [c for row in body["preview"] for c in row if c["imputed"]]
    assert cells and all(c["interval"][0] <= c["interval"][1] for c in cells)


def test_impute_refuses_a_table_without_holes(client):
    csv = genlab.load_dataset("wine").X.to_csv(index=False)
    r = client.post("/api/impute", files={"file": ("w.csv", csv)})
    assert r.status_code == 400 and "no empty cells" in r.json()["error"]


def test_compress_npy_and_decompress_give_the_data_back(client):
    X = TEST_DIGITS[:12]
    body = client.post(
        "/api/compress", data={"model": "digits-ar"}, files={"files": ("x.npy", npy(X))}
    ).json()
    assert set(body["sizes"]) == {"genlab (.glz)", "raw", "gzip", "bz2", "xz"}
    glz = base64.b64decode(body["glz"])
    assert body["sizes"]["genlab (.glz)"] == len(glz)
    back = client.post(
        "/api/decompress", data={"model": "digits-ar"}, files={"file": ("x.glz", glz)}
    ).json()
    assert np.array_equal(np.load(io.BytesIO(base64.b64decode(back["npy"]))), X)


def test_compress_png_uploads(client):
    files = []
    for i in range(3):
        buf = io.BytesIO()
        Image.fromarray(TEST_DIGITS[i].astype(np.uint8)).save(buf, format="PNG")
        files.append(("files", (f"d{i}.png", buf.getvalue())))
    body = client.post("/api/compress", data={"model": "digits-ar"}, files=files).json()
    assert body["items"] == 3


def test_decompress_refuses_a_corrupt_file_and_compress_a_model_that_cannot(client):
    r = client.post(
        "/api/decompress", data={"model": "digits-ar"}, files={"file": ("x.glz", b"GLZ nonsense")}
    )
    assert r.status_code == 400 and "error" in r.json()
    r = client.post(
        "/api/compress",
        data={"model": "digits-gmm"},
        files={"files": ("x.npy", npy(TEST_DIGITS[:2]))},
    )
    assert r.status_code == 400 and "cannot compress" in r.json()["error"]


def test_train_fits_a_model_that_the_other_pages_then_use(client):
    job = client.post("/api/train", data={"family": "gmm", "dataset": "iris"}).json()
    deadline = time.time() + 60
    while job["state"] == "running" and time.time() < deadline:
        time.sleep(0.2)
        job = client.get(f"/api/train/{job['id']}").json()
    assert job["state"] == "done", job
    names = [m["name"] for m in client.get("/api/models").json()["models"]]
    assert job["model"] in names
    assert (
        len(client.post("/api/generate", json={"model": job["model"], "n": 2}).json()["rows"]) == 2
    )


def test_train_refuses_an_unknown_family(client):
    r = client.post("/api/train", data={"family": "rm -rf", "dataset": "iris"})
    assert r.status_code == 400 and "unknown family" in r.json()["error"]


def test_timeline_has_the_milestones_the_issue_names(client):
    items = client.get("/api/timeline").json()["milestones"]
    assert len(items) >= 30
    for m in items:
        assert {"year", "name", "work", "family", "modality", "why"} <= set(m)
    names = {(m["year"], m["name"]) for m in items}
    for needed in [
        (1985, "Boltzmann machine"),
        (2013, "VAE"),
        (2014, "GAN"),
        (2020, "DDPM"),
        (2022, "ChatGPT"),
    ]:
        assert needed in names


def test_pages_are_served(client):
    for page in ("/", "/generate", "/timeline", "/static/app.js", "/static/timeline.js"):
        assert client.get(page).status_code == 200


def test_body_over_the_limit_gets_413_by_its_length(models_dir):
    small = TestClient(create_app(models_dir, bootstrap=False, max_body=1000))
    r = small.post(
        "/api/density", data={"model": "wine-gmm"}, files={"file": ("x.csv", b"a" * 5000)}
    )
    assert r.status_code == 413 and "limit" in r.json()["error"]


def test_slow_request_gets_504(models_dir):
    hasty = TestClient(create_app(models_dir, bootstrap=False, timeout=0.001))
    r = hasty.post("/api/compare", data={"a": "digits-kde", "b": "digits-gmm"})
    assert r.status_code == 504 and "took longer" in r.json()["error"]
