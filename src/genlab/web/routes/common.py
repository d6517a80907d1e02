"""What the routes share: images as PNG data URLs, uploads read by genlab's own readers, the
test digits, the store from the request."""

from __future__ import annotations

import base64
import io
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import Request, UploadFile
from PIL import Image

from genlab.core.errors import InputError
from genlab.web.store import ModelStore

UPLOAD_SUFFIXES = (".csv", ".tsv", ".parquet", ".npy", ".png", ".jpg", ".jpeg")


def store(request: Request) -> ModelStore:
    """The app's model store."""
    return request.app.state.store


def png_url(image: np.ndarray, levels: int = 16, scale: int = 8) -> str:
    """One 8x8 digit (or any 2-D array on 0..levels) as a ``data:image/png`` URL, enlarged."""
    a = np.clip(np.nan_to_num(np.asarray(image, dtype=float)) / levels, 0, 1)
    img = Image.fromarray((255 - a * 255).astype(np.uint8)).resize(
        (a.shape[1] * scale, a.shape[0] * scale), Image.NEAREST
    )
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@lru_cache(maxsize=1)
def test_digits() -> tuple[np.ndarray, np.ndarray]:
    """The held-out digits (images, labels) the image pages pick from."""
    import genlab

    _, test = genlab.load_dataset("digits").split()
    return np.asarray(test.X), np.asarray(test.y)


def digit(index: int) -> np.ndarray:
    """Test digit ``index``; InputError when out of range."""
    X, _ = test_digits()
    if not 0 <= int(index) < len(X):
        raise InputError(f"digit index must be in 0..{len(X) - 1}, got {index}")
    return X[int(index)]


async def read_upload(upload: UploadFile) -> Any:
    """An uploaded table, ``.npy`` or image through genlab's readers (never by its name: the
    bytes go to a server-made temporary file with the checked suffix)."""
    from genlab.data import readers

    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise InputError(
            f"{upload.filename!r}: unsupported file type; use one of {UPLOAD_SUFFIXES}"
        )
    data = await upload.read()
    if not data:
        raise InputError(f"{upload.filename!r} is empty")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            if suffix == ".npy":
                return readers.read_npy(path)
            if suffix in (".png", ".jpg", ".jpeg"):
                return readers.read_images(tmp, mode="L")[0]
            return readers.read_table(path)
        except InputError as error:  # name the user's file, not the temporary one
            raise InputError(str(error).replace(str(path), repr(upload.filename))) from None


async def read_image_uploads(uploads: list[UploadFile]) -> np.ndarray:
    """Several uploaded PNG/JPEG images as one (N, H, W) array, read by genlab's reader."""
    from genlab.data import readers

    with tempfile.TemporaryDirectory() as tmp:
        for i, upload in enumerate(uploads):
            suffix = Path(upload.filename or "").suffix.lower()
            if suffix not in (".png", ".jpg", ".jpeg"):
                raise InputError(f"{upload.filename!r}: not a PNG/JPEG image")
            (Path(tmp) / f"{i:06d}{suffix}").write_bytes(await upload.read())
        return readers.read_images(tmp, mode="L")[0]
