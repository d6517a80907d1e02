"""50 concurrent mixed requests against a real uvicorn server on loopback: every one is
answered, in bounded time, with exactly the answer the same request gets alone (so no request
corrupted a shared model's state)."""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np

import genlab
from genlab.web import create_app

DIGITS = genlab.load_dataset("digits").split()[1].X


def _npy(X: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, X)
    return buf.getvalue()


def requests() -> list[tuple[str, dict]]:
    """Five kinds of request, ten variants each (different seeds, digits, models)."""
    out = []
    for i in range(10):
        out.append(
            (
                "/api/generate",
                {"json": {"model": "digits-gmm", "n": 4, "seed": i, "condition": i % 10}},
            )
        )
        out.append(
            (
                "/api/inpaint",
                {
                    "json": {
                        "model": "digits-ar",
                        "index": i,
                        "draws": 2,
                        "seed": i,
                        "mask": [k % 3 == 0 for k in range(64)],
                    }
                },
            )
        )
        out.append(
            ("/api/interpolate", {"json": {"model": "digits-vae2", "a": i, "b": i + 1, "steps": 4}})
        )
        out.append(("/api/density", {"data": {"model": "digits-kde" if i % 2 else "wine-gmm"}}))
        out.append(
            (
                "/api/compress",
                {
                    "data": {"model": "digits-ar"},
                    "files": {"files": ("x.npy", _npy(DIGITS[i : i + 3]))},
                },
            )
        )
    return out


def call(base: str, path: str, kwargs: dict) -> tuple[int, dict]:
    with httpx.Client(base_url=base, timeout=60) as c:
        r = c.post(path, **kwargs)
        return r.status_code, r.json()


def test_fifty_concurrent_mixed_requests_are_all_answered_correctly(live_server):
    work = requests()
    assert len(work) == 50
    alone = [call(live_server, path, kw) for path, kw in work]  # one at a time: the reference
    assert all(status == 200 for status, _ in alone), [b for s, b in alone if s != 200][:2]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=50) as pool:
        together = list(pool.map(lambda w: call(live_server, *w), work))
    seconds = time.perf_counter() - start
    assert seconds < 90, f"50 concurrent requests took {seconds:.0f} s"
    for (path, _), (status, body), (_, ref) in zip(work, together, alone, strict=True):
        assert status == 200, (path, body)
        assert body == ref, f"{path}: a concurrent answer differs from the same request alone"
    inpainted = [b for (p, _), (_, b) in zip(work, together, strict=True) if p == "/api/inpaint"]
    assert all(b["observed_unchanged"] for b in inpainted)


def test_one_model_is_never_used_by_two_requests_at_once(models_dir):
    """Each model's lock: calls on one model never overlap, and two requests that need the
    same two models in opposite orders (compare a,b and b,a) do not deadlock."""
    import threading

    from tests.web.conftest import serving

    app = create_app(models_dir, bootstrap=False)
    store = app.app.state.store
    active: dict[str, int] = {}
    overlap: list[str] = []
    guard = threading.Lock()

    def watched(name: str, method):
        def call(*args, **kwargs):
            with guard:
                active[name] = active.get(name, 0) + 1
                if active[name] > 1:
                    overlap.append(name)
            time.sleep(0.02)  # widen the window a race would need
            try:
                return method(*args, **kwargs)
            finally:
                with guard:
                    active[name] -= 1

        return call

    for name in ("digits-gmm", "digits-kde"):
        with store.use(name) as m:
            m.log_prob = watched(name, m.log_prob)
            m.sample = watched(name, m.sample)
    work = [("/api/compare", {"data": {"a": "digits-gmm", "b": "digits-kde"}})] * 8
    work += [("/api/compare", {"data": {"a": "digits-kde", "b": "digits-gmm"}})] * 8
    work += [
        ("/api/generate", {"json": {"model": "digits-gmm", "n": 2, "seed": i}}) for i in range(8)
    ]
    with serving(app) as url, ThreadPoolExecutor(max_workers=len(work)) as pool:
        answers = list(pool.map(lambda w: call(url, *w), work))
    assert all(status == 200 for status, _ in answers)
    assert not overlap, f"concurrent calls on {set(overlap)}"
