"""Density: log-likelihoods of uploaded or bundled data, anomaly flags by a stated rule, a
histogram; comparison of two saved models."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from genlab.core.errors import InputError
from genlab.web.routes.common import read_upload, store

router = APIRouter()

#: bundled sets a model may have been trained on: the reference for the anomaly threshold.
REFERENCE_SETS = ("digits", "wine", "breast_cancer", "iris", "diabetes", "mixed_table")
_detectors: dict[tuple[str, float], Any] = {}
_detectors_lock = threading.Lock()


@router.post("/api/density")
async def density(
    request: Request,
    model: str = Form(...),
    dataset: str = Form(""),
    alpha: float = Form(0.05),
    file: UploadFile | None = File(None),
) -> dict:
    """Log p of every row, anomaly flags at false-positive rate ``alpha``, a histogram."""
    if not 0.001 <= alpha <= 0.5:
        raise InputError(f"the false-positive rate must be in 0.001..0.5, got {alpha}")
    X = await read_upload(file) if file is not None and file.filename else None
    return await run_in_threadpool(_density, store(request), model, dataset, alpha, X)


def _data(m: Any, dataset: str, X: Any) -> tuple[Any, str]:
    import genlab

    if X is not None:
        return X, "upload.csv"
    name = dataset or _reference_name(m)
    if name not in REFERENCE_SETS:
        raise InputError(f"unknown bundled set {name!r}; use one of {REFERENCE_SETS}")
    return genlab.load_dataset(name).split()[1].X, f"{name}:test"


def _reference_name(m: Any) -> str:
    import genlab

    if m.schema_.image_shape:
        return "digits"
    for name in REFERENCE_SETS[1:]:
        ds = genlab.load_dataset(name)
        if list(getattr(ds.X, "columns", [])) == list(m.schema_.names):
            return name
    raise InputError("no bundled set has this model's columns: upload a CSV")


def _density(st: Any, name: str, dataset: str, alpha: float, X: Any) -> dict:
    from sklearn.base import clone

    import genlab

    with st.use(name) as m:
        data, label = _data(m, dataset, X)
        log_p = np.asarray(m.log_prob(data), dtype=float)
        ref = _reference_name(m)
        key = (name, alpha)
        with _detectors_lock:
            detector = _detectors.get(key)
        if detector is None:
            train = genlab.load_dataset(ref).split()[0]
            detector = genlab.AnomalyDetector(clone(m), false_positive_rate=alpha).fit(train.X)
            with _detectors_lock:
                _detectors[key] = detector
        flags = detector.predict(data)
        rule = detector.threshold_rule_
    counts, edges = np.histogram(log_p[np.isfinite(log_p)], bins=20)
    return {
        "data": label,
        "log_prob": [round(float(v), 4) for v in log_p],
        "anomaly": [bool(f == -1) for f in flags],
        "threshold_rule": rule,
        "histogram": {"counts": counts.tolist(), "edges": [float(e) for e in edges]},
        "python": f'm = genlab.load_model("{st.folder}/{name}")\nlog_p = m.log_prob(X)\n'
        f"detector = genlab.AnomalyDetector(clone(m), false_positive_rate={alpha})\n"
        f"detector.fit({ref}_train)\n"
        "flags = detector.predict(X)",
        "cli": f"genlab score {st.folder}/{name} {label} -o scores.csv",
    }


@router.post("/api/compare")
async def compare(
    request: Request,
    a: str = Form(...),
    b: str = Form(...),
    dataset: str = Form(""),
    file: UploadFile | None = File(None),
) -> dict:
    """``genlab.compare`` of two saved models on the same held-out data."""
    if a == b:
        raise InputError("pick two different models")
    X = await read_upload(file) if file is not None and file.filename else None
    return await run_in_threadpool(_compare, store(request), a, b, dataset, X)


def _compare(st: Any, a: str, b: str, dataset: str, X: Any) -> dict:
    import genlab

    first, second = sorted((a, b))  # always lock in one order: no deadlock
    with st.use(first) as m1, st.use(second) as m2:
        data, label = _data(m1, dataset, X)
        table = genlab.compare({first: m1, second: m2}, data)
    cols = [
        c
        for c in (
            "nll_nats",
            "nll_nats_se",
            "bits_per_dim",
            "diff_nats",
            "diff_ci_low",
            "diff_ci_high",
            "bound",
        )
        if c in table.columns
    ]
    rows = [[str(i)] + [_round(table.loc[i, c]) for c in cols] for i in table.index]
    return {
        "columns": ["model", *cols],
        "rows": rows,
        "data": label,
        "python": f'table = genlab.compare({{"{first}": m1, "{second}": m2}}, X)',
        "cli": f"genlab compare {st.folder}/{first} {st.folder}/{second} {label} -o compare.csv",
    }


def _round(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return None if not np.isfinite(v) else round(float(v), 4)
    return v.item() if hasattr(v, "item") else v
