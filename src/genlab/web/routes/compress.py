"""Compress: uploaded PNG images, a CSV or an ``.npy`` to a ``.glz`` file (sizes against
gzip/bz2/xz of the same bytes); a ``.glz`` back to the data."""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import lzma
from typing import Any

import numpy as np
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from genlab.core.errors import InputError
from genlab.web.routes.common import png_url, read_image_uploads, read_upload, store

router = APIRouter()


@router.post("/api/compress")
async def compress(
    request: Request, model: str = Form(...), files: list[UploadFile] = File(...)
) -> dict:
    """Code the uploaded data with ``model``; the ``.glz`` file as base64 and the sizes."""
    names = [(f.filename or "").lower() for f in files]
    if all(n.endswith((".png", ".jpg", ".jpeg")) for n in names):
        X = await read_image_uploads(files)
        raw = np.ascontiguousarray(X.astype(np.uint8)).tobytes()
    elif len(files) == 1:
        X = await read_upload(files[0])
        await files[0].seek(0)
        raw = _plain_bytes(X) or await files[0].read()
    else:
        raise InputError("upload PNG images, or one CSV or .npy file")
    return await run_in_threadpool(_compress, store(request), model, X, raw)


def _plain_bytes(X: Any) -> bytes | None:
    """Integer arrays on 0..255 as one byte each: the fair input for gzip/bz2/xz (an ``.npy``
    of int64 would flatter them with seven zero bytes per value)."""
    A = np.asarray(X) if not hasattr(X, "columns") else None
    if A is not None and A.dtype.kind in "iu" and A.size and A.min() >= 0 and A.max() <= 255:
        return np.ascontiguousarray(A.astype(np.uint8)).tobytes()
    return None


def _compress(st: Any, name: str, X: Any, raw: bytes) -> dict:
    import genlab

    with st.use(name) as m:
        if "compress" not in m.capabilities:
            raise InputError(
                f"{name} ({m.family}) cannot compress; pick an autoregressive model or VAE"
            )
        blob = genlab.compress(m, X)
    sizes = {
        "genlab (.glz)": len(blob),
        "raw": len(raw),
        "gzip": len(gzip.compress(raw, 9)),
        "bz2": len(bz2.compress(raw, 9)),
        "xz": len(lzma.compress(raw, preset=9)),
    }
    return {
        "glz": base64.b64encode(blob).decode(),
        "sizes": sizes,
        "items": len(X),
        "python": f'm = genlab.load_model("{st.folder}/{name}")\nblob = genlab.compress(m, X)',
        "cli": f"genlab compress {st.folder}/{name} DATA -o data.glz",
    }


@router.post("/api/decompress")
async def decompress(
    request: Request, model: str = Form(...), file: UploadFile = File(...)
) -> dict:
    """The data a ``.glz`` file holds: previews and an ``.npy`` (or CSV) to download."""
    blob = await file.read()
    if not blob:
        raise InputError(f"{file.filename!r} is empty")
    return await run_in_threadpool(_decompress, store(request), model, blob)


def _decompress(st: Any, name: str, blob: bytes) -> dict:
    import genlab

    with st.use(name) as m:
        X = genlab.decompress(blob, m)
    out: dict[str, Any] = {
        "python": 'X = genlab.decompress(open("data.glz", "rb").read(), m)',
        "cli": f"genlab decompress {st.folder}/{name} data.glz -o back/",
        "items": len(X),
    }
    if hasattr(X, "to_csv"):
        out["csv"] = X.to_csv(index=False)
    else:
        buf = io.BytesIO()
        np.save(buf, np.asarray(X), allow_pickle=False)
        out["npy"] = base64.b64encode(buf.getvalue()).decode()
        out["images"] = [png_url(x) for x in np.asarray(X)[:32]] if np.asarray(X).ndim == 3 else []
    return out
