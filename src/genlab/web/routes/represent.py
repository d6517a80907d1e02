"""Interpolate: decoded points on the latent path between two test digits."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from genlab.core.errors import InputError
from genlab.web.routes.common import digit, png_url, store

router = APIRouter()


class InterpolateRequest(BaseModel):
    model: str
    a: int = 0
    b: int = 1
    steps: int = Field(9, ge=2, le=33)
    method: str = "slerp"


@router.get("/api/digit/{index}")
async def show_digit(index: int) -> dict:
    """Test digit ``index`` as pixel values (for the canvas) and a PNG."""
    x = digit(index)
    return {"index": index, "pixels": np.asarray(x).astype(float).tolist(), "png": png_url(x)}


@router.post("/api/interpolate")
async def interpolate(req: InterpolateRequest, request: Request) -> dict:
    """``steps`` decoded points from digit ``a`` to digit ``b``."""
    return await run_in_threadpool(_interpolate, store(request), req)


def _interpolate(st: Any, req: InterpolateRequest) -> dict:
    from genlab.jobs.represent import interpolate

    if req.method not in ("slerp", "lerp"):
        raise InputError(f"method must be slerp or lerp, got {req.method!r}")
    x0, x1 = digit(req.a), digit(req.b)
    with st.use(req.model) as m:
        if "latent" not in m.capabilities:
            raise InputError(f"{req.model} ({m.family}) has no latent space; pick a VAE or Flow")
        path = interpolate(m, x0, x1, steps=req.steps, method=req.method)
    return {
        "ends": [png_url(x0), png_url(x1)],
        "path": [png_url(p) for p in np.asarray(path)],
        "python": f'm = genlab.load_model("{st.folder}/{req.model}")\n'
        f"strip = interpolate(m, test.X[{req.a}], test.X[{req.b}], steps={req.steps}, "
        f'method="{req.method}")',
        "cli": f"genlab interpolate {st.folder}/{req.model} digits:test --pair {req.a},{req.b} "
        f"--steps {req.steps} -o strip.png",
    }
