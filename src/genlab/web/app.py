"""The FastAPI app: routers per job, static pages, errors as JSON (never a traceback)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from genlab.core.errors import GenlabError
from genlab.web.limits import DEFAULT_MAX_BODY, LimitBody
from genlab.web.routes import compress, density, generate, impute, represent, train
from genlab.web.store import ModelStore

STATIC = Path(__file__).parent / "static"
PAGES = ("generate", "inpaint", "interpolate", "density", "impute", "compress", "train", "timeline")
log = logging.getLogger("genlab.web")


def create_app(
    models: str | Path = "runs/tour/models",
    *,
    max_body: int = DEFAULT_MAX_BODY,
    timeout: float = 120.0,
    bootstrap: bool = True,
) -> LimitBody:
    """The playground as an ASGI app.

    Args:
        models: the folder of saved models (one subfolder each).
        max_body: largest request body in bytes; larger ones get 413 unread.
        timeout: seconds a request may take before a 504.
        bootstrap: train quick models in the background when ``models`` holds none.

    Example:
        >>> import tempfile
        >>> app = create_app(tempfile.mkdtemp(), bootstrap=False)
        >>> app.max_bytes
        52428800
    """
    api = FastAPI(title="genlab playground", docs_url=None, redoc_url=None)
    api.state.store = ModelStore(models)
    for module in (generate, impute, represent, density, compress, train):
        api.include_router(module.router)
    _add_errors(api)
    _add_pages(api)
    if bootstrap:
        api.state.store.bootstrap()
    return LimitBody(api, max_body, timeout)


def _add_errors(api: FastAPI) -> None:
    @api.exception_handler(GenlabError)
    async def genlab_error(request: Request, error: GenlabError) -> JSONResponse:
        return JSONResponse({"error": str(error)}, status_code=400)

    @api.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> JSONResponse:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}"
            for e in error.errors()
        )
        return JSONResponse({"error": f"bad request: {where}"}, status_code=422)

    @api.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code)

    @api.exception_handler(Exception)
    async def internal(request: Request, error: Exception) -> JSONResponse:
        log.exception("internal error")  # the traceback goes to the server log, not the page
        return JSONResponse(
            {"error": f"internal error ({type(error).__name__}); see the server log"},
            status_code=500,
        )


def _add_pages(api: FastAPI) -> None:
    api.mount("/static", StaticFiles(directory=STATIC), name="static")

    @api.get("/", include_in_schema=False)
    async def home() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @api.get("/api/timeline")
    async def timeline() -> dict:
        return json.loads((STATIC / "timeline.json").read_text(encoding="utf-8"))

    for page in PAGES:
        api.add_api_route(f"/{page}", _page_handler(), include_in_schema=False)


def _page_handler():  # one HTML shell: app.js shows the page the path names
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return page
