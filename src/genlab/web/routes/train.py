"""Train: fit a family on an uploaded table or a bundled set in a background thread, polled
for progress; the fitted model joins the store under a server-chosen name."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile

from genlab.core.errors import InputError
from genlab.web.routes.common import read_upload, store

router = APIRouter()

FAMILIES = {  # family -> settings quick enough for a playground (max_time bounds neural ones)
    "gmm": {"n_components": 2},
    "kde": {},
    "autoregressive": {"hidden_sizes": (64,), "max_epochs": 30, "progress": False},
    "vae": {"latent_dim": 2, "hidden": 32, "max_epochs": 30, "progress": False},
    "flow": {"max_epochs": 30, "progress": False},
}
BUNDLED = ("digits", "wine", "iris", "breast_cancer", "mixed_table")
_jobs: dict[str, dict] = {}
_ids = itertools.count(1)


@router.post("/api/train")
async def train(
    request: Request,
    family: str = Form(...),
    dataset: str = Form("wine"),
    max_time: float = Form(20.0),
    file: UploadFile | None = File(None),
) -> dict:
    """Start fitting; answers the job id to poll at ``/api/train/{id}``."""
    if family not in FAMILIES:
        raise InputError(f"unknown family {family!r}; use one of {sorted(FAMILIES)}")
    if not 1 <= max_time <= 300:
        raise InputError("max_time must be 1..300 seconds")
    if file is not None and file.filename:
        X, y, source = await read_upload(file), None, "upload"
    elif dataset in BUNDLED:
        import genlab

        train_set = genlab.load_dataset(dataset).split()[0]
        X, y, source = train_set, train_set.y, dataset
    else:
        raise InputError(f"unknown bundled set {dataset!r}; use one of {BUNDLED}")
    job_id = str(next(_ids))
    job = {
        "id": job_id,
        "state": "running",
        "family": family,
        "data": source,
        "started": time.time(),
        "max_time": max_time,
        "fraction": 0.0,
        "losses": [],
        "model": None,
        "error": None,
    }
    _jobs[job_id] = job
    args = (store(request), job, X, y if source == "digits" else None)
    threading.Thread(target=_fit, args=args, daemon=True).start()
    return _view(job)


@router.get("/api/train/{job_id}")
async def train_status(job_id: str) -> dict:
    """Progress of a training job: fraction of its time budget, loss curve, model name."""
    if job_id not in _jobs:
        raise InputError(f"no training job {job_id!r}")
    return _view(_jobs[job_id])


def _fit(st: Any, job: dict, X: Any, y: Any) -> None:
    from genlab.core.registry import family_class

    cls = family_class(job["family"])
    params = dict(FAMILIES[job["family"]])
    if "max_epochs" in params:
        params["max_time"] = job["max_time"]
    try:
        model = cls(**params).fit(X, y)
        result = getattr(model, "train_result_", None)
        history = getattr(result, "history", None) or []
        job["losses"] = [[r.get("train_loss"), r.get("val_loss")] for r in history]
        name = f"{job['family']}-{job['data']}-{job['id']}"
        st.add(name, model)
        job.update(state="done", model=name, fraction=1.0)
    except Exception as error:  # the page shows the message; never a traceback
        job.update(state="failed", error=str(error))


def _view(job: dict) -> dict:
    out = {k: v for k, v in job.items() if k != "started"}
    elapsed = time.time() - job["started"]
    out["elapsed"] = round(elapsed, 1)
    if job["state"] == "running":
        out["fraction"] = round(min(0.99, elapsed / job["max_time"]), 3)
    out["python"] = (
        f'cls = genlab.core.registry.family_class("{job["family"]}")\n'
        f"m = cls(**{FAMILIES[job['family']]}).fit(X)"
    )
    out["cli"] = f"genlab fit {job['family']} {job['data']} -o runs/{job['family']}"
    return out
