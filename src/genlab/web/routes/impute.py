"""Inpaint (masked pixels of a test digit) and Impute (an uploaded table with holes)."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from genlab.core.errors import InputError
from genlab.web.routes.common import digit, png_url, read_upload, store

router = APIRouter()


class InpaintRequest(BaseModel):
    model: str
    index: int = 0
    mask: list[bool]  # True = hidden pixel, row-major
    draws: int = Field(4, ge=1, le=12)
    seed: int = Field(0, ge=0, le=2**31 - 1)


@router.post("/api/inpaint")
async def inpaint(req: InpaintRequest, request: Request) -> dict:
    """``draws`` completions of test digit ``index`` with the masked pixels filled."""
    return await run_in_threadpool(_inpaint, store(request), req)


def _inpaint(st: Any, req: InpaintRequest) -> dict:
    x = digit(req.index).astype(float)
    mask = np.asarray(req.mask, dtype=bool)
    if mask.size != x.size:
        raise InputError(f"the mask has {mask.size} pixels; the digit has {x.size}")
    if not mask.any():
        raise InputError("mask some pixels first (drag over the digit)")
    holes = x.copy().reshape(-1)
    holes[mask] = np.nan
    holes = holes.reshape(1, *x.shape)
    with st.use(req.model) as m:
        if "impute" not in m.capabilities:
            raise InputError(f"{req.model} ({m.family}) cannot impute; pick another model")
        draws = m.impute(holes, n_imputations=req.draws, random_state=req.seed)
    draws = [np.asarray(d)[0] for d in draws]
    observed = ~mask.reshape(x.shape)
    unchanged = all(bool(np.array_equal(d[observed], x[observed])) for d in draws)
    return {
        "original": png_url(x),
        "masked": png_url(np.where(observed, x, 8.0)),
        "draws": [png_url(d) for d in draws],
        "observed_unchanged": unchanged,
        "python": f'm = genlab.load_model("{st.folder}/{req.model}")\n'
        f"filled = m.impute(holes, n_imputations={req.draws}, random_state={req.seed})",
        "cli": f"genlab impute {st.folder}/{req.model} holes.npy -o filled.npy "
        f"--multiple {req.draws}",
    }


@router.post("/api/impute")
async def impute_table(
    request: Request,
    file: UploadFile = File(...),
    multiple: int = Form(5),
    level: float = Form(0.9),
) -> dict:
    """Fill the holes of an uploaded table: a preview with intervals, the completed table
    (conditional means) and ``multiple`` draws, as CSV text."""
    if not 1 <= multiple <= 50 or not 0.5 <= level < 1:
        raise InputError("need 1 <= M <= 50 imputations and 0.5 <= level < 1")
    table = await read_upload(file)
    if not hasattr(table, "columns"):
        raise InputError("upload a table (.csv, .tsv, .parquet) with empty cells for the holes")
    return await run_in_threadpool(_impute_table, table, multiple, level)


def _impute_table(table: Any, multiple: int, level: float) -> dict:
    import pandas as pd

    import genlab
    from genlab.jobs.impute import impute, intervals

    if not table.isna().to_numpy().any():
        raise InputError("the table has no empty cells: nothing to impute")
    model = genlab.GaussianMixture(n_components=1).fit(table)
    best = impute(model, table, method="mean")
    draws = impute(model, table, n_imputations=multiple, random_state=0)
    box = intervals(draws, level=level) if multiple > 1 else None
    holes = table.isna()
    preview = []
    for i in range(min(len(table), 20)):
        row = []
        for j, c in enumerate(table.columns):
            cell: dict[str, Any] = {
                "value": _cell(best[c].iloc[i]),
                "imputed": bool(holes[c].iloc[i]),
            }
            if cell["imputed"] and box is not None and not np.isnan(box.lower[i, j]):
                cell["interval"] = [_cell(box.lower[i, j]), _cell(box.upper[i, j])]
            row.append(cell)
        preview.append(row)
    long = pd.concat([d.assign(imputation=k + 1) for k, d in enumerate(draws)], ignore_index=True)
    return {
        "columns": [str(c) for c in table.columns],
        "preview": preview,
        "n_holes": int(holes.to_numpy().sum()),
        "completed_csv": best.to_csv(index=False),
        "multiple_csv": long.to_csv(index=False),
        "python": "model = genlab.GaussianMixture(n_components=1).fit(holes)\n"
        'best = impute(model, holes, method="mean")\n'
        f"draws = impute(model, holes, n_imputations={multiple}, random_state=0)\n"
        f"box = intervals(draws, level={level})",
        "cli": "genlab fit gmm holes.csv -o runs/gmm-holes --set n_components=1\n"
        "genlab impute runs/gmm-holes holes.csv -o best.csv --method mean\n"
        f"genlab impute runs/gmm-holes holes.csv -o filled.csv --multiple {multiple}",
    }


def _cell(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return None if np.isnan(v) else round(float(v), 4)
    return v.item() if hasattr(v, "item") else v


@router.get("/api/impute/example")
async def example() -> dict:
    """A bundled table with holes (wine, 20% of the entries missing completely at random)."""
    import genlab
    from genlab.data import masks

    X = genlab.load_dataset("wine").X
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))
    return {"name": "wine-holes.csv", "csv": holes.to_csv(index=False)}
