"""``genlab serve``: the local web playground (FastAPI + uvicorn)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genlab.cli.options import err, say
from genlab.core.errors import InputError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind; another than 127.0.0.1 warns.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    models: Annotated[
        Path, typer.Option("--models", help="Folder of saved models (one subfolder each).")
    ] = Path("runs/tour/models"),
    max_upload_mb: Annotated[
        float, typer.Option("--max-upload-mb", help="Largest request body; larger get 413.")
    ] = 50.0,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds a request may run before a 504.")
    ] = 120.0,
) -> None:
    """Serve the playground: a page per job, the equivalent Python and CLI for each action,
    and an interactive timeline. Trains quick models first when MODELS holds none."""
    import uvicorn

    from genlab.web import create_app

    if not 1 <= port <= 65535:
        raise InputError(f"--port must be 1..65535, got {port}")
    if max_upload_mb <= 0 or timeout <= 0:
        raise InputError("--max-upload-mb and --timeout must be positive")
    if models.exists() and not models.is_dir():
        raise InputError(f"--models {models}: not a folder")
    if host not in LOCAL_HOSTS:
        err.print(
            f"[yellow]warning:[/yellow] binding to {host}: anyone who can reach this machine "
            "can use the playground (it has no authentication)"
        )
    app = create_app(models, max_body=int(max_upload_mb * 1024 * 1024), timeout=timeout)
    say(f"genlab playground on http://{host}:{port}/ (models from {models}); Ctrl-C stops it")
    uvicorn.run(app, host=host, port=port, log_level="warning")
