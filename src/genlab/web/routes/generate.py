"""Generate: samples from a model, optionally of one class; the model list and progress."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from genlab.web.routes.common import png_url, store

router = APIRouter()


class GenerateRequest(BaseModel):
    model: str
    n: int = Field(16, ge=1, le=64)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    condition: int | None = None


@router.get("/api/models")
async def models(request: Request) -> dict:
    """The served models and the state of the first-start training."""
    rows = await run_in_threadpool(store(request).describe)
    return {"models": rows, "progress": store(request).progress}


@router.post("/api/generate")
async def generate(req: GenerateRequest, request: Request) -> dict:
    """``n`` samples (a grid of PNGs for images, rows for tables)."""
    return await run_in_threadpool(_generate, store(request), req)


def _generate(st: Any, req: GenerateRequest) -> dict:
    with st.use(req.model) as m:
        X = m.sample(req.n, condition=req.condition, random_state=req.seed)
        family, is_image = m.family, bool(m.schema_.image_shape)
    cond = "" if req.condition is None else f", condition={req.condition}"
    cli_cond = "" if req.condition is None else f" --condition {req.condition}"
    out: dict[str, Any] = {
        "python": f'm = genlab.load_model("{st.folder}/{req.model}")\n'
        f"X = m.sample({req.n}{cond}, random_state={req.seed})",
        "cli": f"genlab sample {st.folder}/{req.model} -n {req.n}{cli_cond} --seed {req.seed} "
        f"-o samples.{'png' if is_image else 'csv'}",
        "family": family,
    }
    if is_image:
        out["images"] = [png_url(x) for x in np.asarray(X)]
    else:
        out["columns"] = [str(c) for c in X.columns]
        out["rows"] = X.round(4).astype(object).values.tolist()
    return out
