"""Readers and writers for user data: tables (CSV, Parquet), image folders (PNG, JPEG), ``.npy``.

Every failure a user can cause (missing file, unknown format, corrupt content, images of
different sizes) raises :class:`~genlab.core.errors.InputError` naming the file at fault, instead of
the parser's own exception.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, UnidentifiedImageError

from genlab.core.errors import InputError
from genlab.data.cells import MAX_EXACT_INTEGER, type_columns
from genlab.data.parquet import read_parquet

__all__ = [
    "read_cells",
    "read_images",
    "read_npy",
    "read_table",
    "write_images",
]

PathLike = str | os.PathLike

_TABLE_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
# Modes whose pixels are one gray level; anything else is read as RGB in mode "auto".
_GRAY_MODES = ("1", "L", "LA")
#: PIL modes read (8 bits per channel, or fewer): anything else (16-bit "I;16", 32-bit "I" and
#: "F") is refused, since squashing it to 8 bits would change nearly every pixel.
IMAGE_MODES = ("1", "L", "LA", "P", "PA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LAB", "HSV")


def read_table(path: PathLike, *, na_values: Sequence[str] = ()) -> pd.DataFrame:
    """Read a CSV/TSV or Parquet (pyarrow) file into a DataFrame, changing no observed value.

    CSV cells are typed by :func:`genlab.data.cells.type_columns`: an empty cell is missing;
    ``NA``, ``N/A``, ``null``, ``NaN``... are missing only in columns that are otherwise numbers;
    ``02140`` stays text; whole numbers are (nullable) integers. The separator of a ``.csv`` is
    sniffed among ``,``, ``;``, tab and ``|``.

    Args:
        path: File ending in ``.csv``, ``.tsv``, ``.parquet`` or ``.pq`` (case-insensitive).
        na_values: More cells (exact text) to read as missing, in every column.

    Returns:
        The table, with at least one row and one column.

    Raises:
        InputError: unreadable file, dates, nested columns, integers beyond 2**53.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("zip;region\\n02140;NA\\n10001;EU\\n")
        >>> read_table(path)["zip"].tolist(), read_table(path)["region"].tolist()
        (['02140', '10001'], ['NA', 'EU'])
    """
    path = _existing_file(path)
    suffix = path.suffix.lower()
    if suffix not in _TABLE_SUFFIXES:
        raise InputError(f"{path}: unknown table format {suffix!r}; use one of {_TABLE_SUFFIXES}")
    na_values = _check_na_values(na_values)
    if suffix in (".parquet", ".pq"):
        try:
            table = read_parquet(path)  # integer columns with nulls stay integers
        except (ValueError, OSError) as error:  # pyarrow's ArrowInvalid is a ValueError
            raise InputError(f"{path}: cannot parse as {suffix[1:]}: {error}") from error
        _check_not_empty(path, table)
        try:
            return _check_parquet_columns(table, na_values)
        except InputError as error:
            raise InputError(f"{path}: {error}") from None
    cells = read_cells(path)
    try:
        return type_columns(cells, na_values)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None


def read_cells(path: PathLike) -> pd.DataFrame:
    """A CSV/TSV's cells as written (str; NaN for an empty cell), the separator of a ``.csv``
    sniffed among ``,``, ``;``, tab and ``|``. :func:`read_table` types them.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("x|y\\n3|\\n1e3|NA\\n")
        >>> read_cells(path).to_dict("list")
        {'x': ['3', '1e3'], 'y': [nan, 'NA']}
    """
    path = _existing_file(path)
    sep = "\t" if path.suffix.lower() == ".tsv" else _sniff_separator(path)
    _check_header(path, sep)
    try:
        cells = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError as error:
        raise InputError(f"{path}: empty table (no columns)") from error
    # ParserError is a ValueError; binary junk fails to decode.
    except (ValueError, UnicodeDecodeError, OSError) as error:
        raise InputError(f"{path}: cannot parse as a table: {error}") from error
    _check_not_empty(path, cells)
    return cells


def _check_not_empty(path: Path, table: pd.DataFrame) -> None:
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise InputError(f"{path}: empty table ({table.shape[0]} rows, {table.shape[1]} columns)")


def _check_header(path: Path, sep: str) -> None:
    """Refuse two columns of one name (pandas would quietly rename the second ``a.1``)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            header = next(csv.reader(f, delimiter=sep), [])
    except (UnicodeDecodeError, csv.Error):
        return  # pandas says what is wrong with the file
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(f"{path}: two columns are named {name!r}; rename one")
        seen.add(name)


def _check_na_values(na_values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(na_values, str):
        na_values = [na_values]
    return tuple(str(v) for v in na_values)


def _sniff_separator(path: Path) -> str:
    """The separator of a CSV among ``,;\\t|``: the one that splits the first lines into the
    same number (> 1) of fields, preferring the comma."""
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            head = f.read(65536)
    except OSError:
        return ","
    sample = head.splitlines()[:20] if "\n" in head else [head]
    if len(head) == 65536 and len(sample) > 1:
        sample = sample[:-1]  # the last line may be cut
    best, best_fields = ",", 1
    for sep in (",", ";", "\t", "|"):
        try:
            rows = list(csv.reader(sample, delimiter=sep))
        except csv.Error:
            continue
        widths = {len(r) for r in rows if r}
        if len(widths) == 1 and (width := widths.pop()) > best_fields:
            best, best_fields = sep, width
    return best


def _check_parquet_columns(table: pd.DataFrame, na_values: tuple[str, ...]) -> pd.DataFrame:
    """Refuse Parquet columns genlab cannot model (nested, dates, integers beyond 2**53)."""
    for name in table.columns:
        s = table[name]
        if pd.api.types.is_datetime64_any_dtype(s) or isinstance(s.dtype, pd.PeriodDtype):
            raise InputError(f"column {str(name)!r} holds dates ({s.dtype}); convert or drop it")
        if s.dtype == object:
            cell = next((v for v in s if isinstance(v, list | dict | np.ndarray | tuple)), None)
            if cell is not None:
                raise InputError(
                    f"column {str(name)!r} is nested (holds {type(cell).__name__} cells); "
                    "genlab reads flat columns only: flatten it first"
                )
            if na_values:
                table[name] = s.where(~s.isin(na_values), None)
        elif pd.api.types.is_integer_dtype(s) and s.dropna().abs().max() > MAX_EXACT_INTEGER:
            raise InputError(
                f"column {str(name)!r} holds integers beyond 2**53 (float64 rounds them)"
            )
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
    for f in files:
        _header_mode(f)  # refuse a mode genlab cannot read without changing its pixels
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
    if array.ndim == 0 or array.dtype.kind not in "biuf":
        raise InputError(
            f"{path}: holds a {array.ndim}-d array of dtype {array.dtype}; genlab reads arrays "
            "of numbers with at least one dimension (rows)"
        )
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
            mode = image.mode
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InputError(f"{file}: cannot open as an image: {error}") from error
    if mode not in IMAGE_MODES:
        raise InputError(
            f"{file}: image mode {mode!r} (more than 8 bits per channel) is not supported: "
            f"genlab reads 8-bit images ({', '.join(IMAGE_MODES)}); convert it to 8 bits first"
        )
    return mode


def _load_image(file: Path, mode: str, size: tuple[int, int] | None) -> np.ndarray:
    """Decode one image to uint8 (H, W) or (H, W, 3)."""
    try:
        with Image.open(file) as image:
            image = _drop_alpha(image) if mode == "RGB" else image.convert("L")
            if size is not None:
                image = image.resize((size[1], size[0]), Image.Resampling.BILINEAR)
            return np.asarray(image, dtype=np.uint8)
    # truncated data, bad chunks, or more pixels than PIL's decompression-bomb limit
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
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
