"""Text corpora for sequence models: files read as bytes, and a bundled corpus of Python code.

:func:`read_texts` reads a folder of text files (recursively, by suffix), one file, or a text
column of a CSV file. :func:`load_python_code` is the installed Python standard library's
``.py`` files, read at run time (nothing is downloaded), split into training files and a
FIXED held-out set that is never trained on (:data:`PYTHON_CODE_TEST`).

Example:
    >>> corpus = load_python_code()
    >>> sorted(name for name, _ in corpus.test) == sorted(PYTHON_CODE_TEST)
    True
    >>> len(corpus.train) > 100, isinstance(corpus.train[0][1], bytes)
    (True, True)
"""

from __future__ import annotations

import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from genlab.core.errors import InputError

#: The held-out files of :func:`load_python_code`, relative to the standard library.
PYTHON_CODE_TEST = (
    "argparse.py",
    "json/decoder.py",
    "json/encoder.py",
    "csv.py",
    "textwrap.py",
    "fractions.py",
)
_EXCLUDED_DIRS = {"test", "tests", "site-packages", "dist-packages", "idlelib", "lib2to3"}


@dataclass(frozen=True)
class TextCorpus:
    """Named texts split into ``train`` and ``test``: lists of ``(name, bytes)``."""

    train: list[tuple[str, bytes]]
    test: list[tuple[str, bytes]]

    def train_texts(self) -> list[bytes]:
        """The training texts without their names."""
        return [data for _, data in self.train]

    def test_texts(self) -> list[bytes]:
        """The held-out texts without their names."""
        return [data for _, data in self.test]


def read_texts(
    path: str | Path,
    *,
    suffixes: tuple[str, ...] = (".txt", ".py", ".md"),
    column: str | None = None,
) -> list[tuple[str, bytes]]:
    """The texts at ``path`` as ``(name, bytes)`` pairs, sorted by name.

    Args:
        path: a folder (every file whose suffix is in ``suffixes``, recursively; names are
            relative paths), a single file, or a CSV file when ``column`` is given.
        suffixes: the file suffixes read from a folder.
        column: the CSV column holding the texts (one text per row, named by row number).

    Raises:
        InputError: the path does not exist, the folder holds no such file, or the column
            is not in the CSV.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if column is not None:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if column not in frame.columns:
            raise InputError(f"{path} has no column {column!r}; columns: {list(frame.columns)}")
        return [(str(i), text.encode("utf-8")) for i, text in enumerate(frame[column])]
    if path.is_file():
        return [(path.name, path.read_bytes())]
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in suffixes)
    if not files:
        raise InputError(f"{path} holds no file ending in {list(suffixes)}")
    return [(p.relative_to(path).as_posix(), p.read_bytes()) for p in files]


def load_python_code(root: str | Path | None = None) -> TextCorpus:
    """The Python standard library's source files (``.py``), split into train and test.

    Test, ``site-packages``, ``idlelib`` and ``lib2to3`` folders are left out; the test split
    is :data:`PYTHON_CODE_TEST`, whatever the Python version (a file it lacks is skipped).

    Args:
        root: the library folder; default ``sysconfig.get_paths()["stdlib"]``.
    """
    root = Path(root if root is not None else sysconfig.get_paths()["stdlib"])
    train, test = [], []
    for name, data in read_texts(root, suffixes=(".py",)):
        if _EXCLUDED_DIRS.intersection(Path(name).parts[:-1]):
            continue
        (test if name in PYTHON_CODE_TEST else train).append((name, data))
    return TextCorpus(train, test)


def as_byte_texts(X: object, what: str = "texts") -> tuple[list[bytes], bool]:
    """``X`` as a list of bytes, and whether every text was a ``str``.

    ``X`` is a list (tuple, array, Series) of ``str`` or ``bytes``, a single ``str`` or
    ``bytes`` (one text), or a :class:`~genlab.Dataset` holding such a list. A ``str`` is
    encoded as UTF-8 (lone surrogates kept by ``surrogatepass``, so any ``str`` works).

    Example:
        >>> as_byte_texts(["é", b"\\xff"])
        ([b'\\xc3\\xa9', b'\\xff'], False)

    Raises:
        InputError: ``X`` is None or holds something other than ``str``/``bytes``.
    """
    from genlab.data.datasets import Dataset

    if isinstance(X, Dataset):
        X = X.X
    if X is None:
        raise InputError(f"{what} is None")
    if isinstance(X, str | bytes | bytearray | memoryview):
        X = [X]
    if not isinstance(X, list | tuple) and not hasattr(X, "__array__"):
        raise InputError(f"{what} must be a list of str or bytes, got {type(X).__name__}")
    out, all_str = [], True
    for i, text in enumerate(list(X)):
        if isinstance(text, str):
            out.append(text.encode("utf-8", "surrogatepass"))
        elif isinstance(text, bytes | bytearray | memoryview):
            out.append(bytes(text))
            all_str = False
        else:
            raise InputError(f"{what}[{i}] is a {type(text).__name__}, not str or bytes")
    return out, all_str


def open_texts(spec: str | Path) -> list[bytes]:
    """Texts named on a command line: ``python_code`` (the bundled corpus's training files;
    ``python_code:test`` its held-out files) or a path for :func:`read_texts`.

    Example:
        >>> len(open_texts("python_code:test")) == len(PYTHON_CODE_TEST)
        True
    """
    name, _, part = str(spec).partition(":")
    if name == "python_code" and not Path(str(spec)).exists():
        if part not in ("", "train", "test"):
            raise InputError(f"{spec!r}: the part after ':' must be 'train' or 'test'")
        corpus = load_python_code()
        return corpus.test_texts() if part == "test" else corpus.train_texts()
    return [data for _, data in read_texts(spec)]
