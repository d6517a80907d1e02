"""Readers and writers for user data: tables (CSV, Parquet), image folders (PNG, JPEG), ``.npy``.

Every failure a user can cause (missing file, unknown format, corrupt content, images of
different sizes) raises :class:`~genlab.core.errors.InputError` naming the file at fault, instead of
the parser's own exception.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, UnidentifiedImageError

from genlab.core.errors import InputError

__all__ = ["read_images", "read_npy", "read_table", "write_images"]

PathLike = str | os.PathLike

_TABLE_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
# Modes whose pixels are one gray level; anything else is read as RGB in mode "auto".
_GRAY_MODES = ("1", "L", "LA", "I", "I;16", "F")


def read_table(path: PathLike) -> pd.DataFrame:
    """Read a CSV/TSV (pandas) or Parquet (pyarrow) file into a DataFrame.

    Args:
        path: File ending in ``.csv``, ``.tsv``, ``.parquet`` or ``.pq`` (case-insensitive).

    Returns:
        The table, with at least one row and one column.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("a,b\\n1,x\\n2,y\\n")
        >>> read_table(path).shape
        (2, 2)
    """
    path = _existing_file(path)
    suffix = path.suffix.lower()
    if suffix not in _TABLE_SUFFIXES:
        raise InputError(f"{path}: unknown table format {suffix!r}; use one of {_TABLE_SUFFIXES}")
    try:
        if suffix in (".parquet", ".pq"):
            table = pd.read_parquet(path, engine="pyarrow")
        else:
            table = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
    except pd.errors.EmptyDataError as error:
        raise InputError(f"{path}: empty table (no columns)") from error
    # ParserError and pyarrow's ArrowInvalid are ValueErrors; binary junk fails to decode.
    except (ValueError, UnicodeDecodeError, OSError) as error:
        raise InputError(f"{path}: cannot parse as {suffix[1:]}: {error}") from error
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise InputError(f"{path}: empty table ({table.shape[0]} rows, {table.shape[1]} columns)")
    return table


def read_images(
    folder: PathLike, *, mode: str = "auto", size: tuple[int, int] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Read every PNG/JPEG in a folder, in sorted file-name order, into one uint8 array.

    Files with other extensions are ignored. Transparency is dropped.

    Args:
        folder: Directory holding the images (not searched recursively).
        mode: ``"L"`` (grayscale), ``"RGB"``, or ``"auto"``: grayscale if every image is
            grayscale, else RGB.
        size: ``(H, W)`` to resize every image to (bilinear); if ``None`` all images must
            already share one size.

    Returns:
        ``(images, names)``: images of shape ``(N, H, W)`` for grayscale or ``(N, H, W, 3)``
        for RGB, and the ``N`` file names.

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> _ = write_images(folder, np.zeros((2, 4, 5), dtype=np.uint8))
        >>> images, names = read_images(folder)
        >>> images.shape, images.dtype, names
        ((2, 4, 5), dtype('uint8'), ['0.png', '1.png'])
    """
    if mode not in ("auto", "L", "RGB"):
        raise InputError(f"mode must be 'auto', 'L' or 'RGB', got {mode!r}")
    size = _check_size(size)
    files = _image_files(folder)
    if mode == "auto":
        mode = "L" if all(_header_mode(f) in _GRAY_MODES for f in files) else "RGB"
    images = [_load_image(f, mode, size) for f in files]
    expected = images[0].shape
    for file, image in zip(files, images, strict=True):
        if image.shape != expected:
            raise InputError(
                f"{file}: size {image.shape[:2]} (H, W) differs from {files[0].name}'s "
                f"{expected[:2]}; pass size=(H, W) to resize"
            )
    return np.stack(images), [f.name for f in files]


def write_images(folder: PathLike, X: np.ndarray, names: Sequence[str] | None = None) -> list[Path]:
    """Write images as PNG files, creating the folder if needed; existing files are replaced.

    Args:
        folder: Output directory.
        X: uint8 (or integer in 0..255) array of shape ``(N, H, W)``, ``(N, H, W, 1)`` or
            ``(N, H, W, 3)``.
        names: ``N`` file names; a ``.png``/``.jpg``/``.jpeg`` suffix is replaced by ``.png``,
            any other name gets ``.png`` appended. Default: ``0.png``, ``1.png``, ... zero-padded
            so sorted order is index order.

    Returns:
        The paths written.

    Example:
        >>> import tempfile
        >>> X = np.zeros((2, 3, 3, 3), dtype=np.uint8)
        >>> paths = write_images(tempfile.mkdtemp(), X, names=["a.jpg", "b"])
        >>> [p.name for p in paths]
        ['a.png', 'b.png']
    """
    X = _as_uint8_images(X)
    file_names = _png_names(names, len(X))
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{folder}: cannot create output folder: {error}") from error
    paths = [folder / name for name in file_names]
    for path, image in zip(paths, X, strict=True):
        Image.fromarray(image).save(path, format="PNG")
    return paths


def read_npy(path: PathLike) -> np.ndarray:
    """Load one array from a ``.npy`` file; pickled (object) arrays are refused.

    Args:
        path: A file written by ``numpy.save``.

    Returns:
        The array.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "x.npy"
        >>> np.save(path, np.arange(3))
        >>> read_npy(path)
        array([0, 1, 2])
    """
    path = _existing_file(path)
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise InputError(f"{path}: not a readable .npy file: {error}") from error
    if not isinstance(array, np.ndarray):  # np.load returns an NpzFile for .npz archives
        array.close()
        raise InputError(f"{path}: is an .npz archive, not a single-array .npy file")
    return array


def _existing_file(path: PathLike) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: is not a file")
    return path


def _image_files(folder: PathLike) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    files = sorted(
        (f for f in folder.iterdir() if f.suffix.lower() in _IMAGE_SUFFIXES and f.is_file()),
        key=lambda f: f.name,
    )
    if not files:
        raise InputError(f"{folder}: no PNG or JPEG images in folder")
    return files


def _header_mode(file: Path) -> str:
    """The image's mode, reading only its header."""
    try:
        with Image.open(file) as image:
            return image.mode
    except (UnidentifiedImageError, OSError) as error:
        raise InputError(f"{file}: cannot open as an image: {error}") from error


def _load_image(file: Path, mode: str, size: tuple[int, int] | None) -> np.ndarray:
    """Decode one image to uint8 (H, W) or (H, W, 3)."""
    try:
        with Image.open(file) as image:
            image = _drop_alpha(image) if mode == "RGB" else image.convert("L")
            if size is not None:
                image = image.resize((size[1], size[0]), Image.Resampling.BILINEAR)
            return np.asarray(image, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError) as error:  # truncated data, bad chunks
        raise InputError(f"{file}: cannot decode image: {error}") from error


def _drop_alpha(image: Image.Image) -> Image.Image:
    # A palette image with transparency must go through RGBA, or Pillow warns.
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    return image.convert("RGB")


def _check_size(size: tuple[int, int] | None) -> tuple[int, int] | None:
    if size is None:
        return None
    if (
        not isinstance(size, Sequence)
        or len(size) != 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in size)
    ):
        raise InputError(f"size must be (H, W) with positive integers, got {size!r}")
    return int(size[0]), int(size[1])


def _as_uint8_images(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim == 4 and X.shape[3] == 1:
        X = X[..., 0]
    if not (X.ndim == 3 or (X.ndim == 4 and X.shape[3] == 3)):
        raise InputError(f"X must have shape (N, H, W) or (N, H, W, 3), got {X.shape}")
    if X.dtype == np.uint8:
        return X
    if X.dtype.kind not in "iu":
        raise InputError(f"X must be uint8 or integers in 0..255, got dtype {X.dtype}")
    if X.size and (X.min() < 0 or X.max() > 255):
        raise InputError(f"X values must lie in 0..255, got range {X.min()}..{X.max()}")
    return X.astype(np.uint8)


def _png_names(names: Sequence[str] | None, n: int) -> list[str]:
    if names is None:
        width = len(str(max(n - 1, 0)))
        return [f"{i:0{width}d}.png" for i in range(n)]
    names = list(names)
    if len(names) != n:
        raise InputError(f"names has {len(names)} entries but X has {n} images")
    out = []
    for name in names:
        path = Path(str(name))
        if path.name != str(name) or path.name in ("", ".", ".."):
            raise InputError(f"names: {name!r} is not a plain file name")
        stem = path.stem if path.suffix.lower() in _IMAGE_SUFFIXES else path.name
        out.append(f"{stem}.png")
    if len(set(out)) != n:
        duplicate = next(name for name in out if out.count(name) > 1)
        raise InputError(f"names: two images would both be written to {duplicate!r}")
    return out
