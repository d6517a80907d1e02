"""Fixtures of the playground tests: tiny models fitted once into a temporary folder, an
in-process client, and a real uvicorn server on loopback (for the load and browser tests)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from genlab.web import create_app
from genlab.web.store import ModelStore


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quick models the server trains at first start (a few seconds), saved once."""
    folder = tmp_path_factory.mktemp("models")
    store = ModelStore(folder)
    store.bootstrap().join()
    assert store.progress["state"] == "ready", store.progress
    return folder


@pytest.fixture(scope="session")
def client(models_dir: Path) -> TestClient:
    return TestClient(create_app(models_dir, bootstrap=False))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(models_dir: Path) -> Iterator[str]:
    """A real uvicorn server in a thread; its base URL."""
    with serving(create_app(models_dir, bootstrap=False)) as url:
        yield url


@contextlib.contextmanager
def serving(app: object) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port for the ``with`` block."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
