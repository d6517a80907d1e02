"""The ``.glz`` container: a small binary header, the coder's words and a CRC32.

=======  =====================  ==================================================
offset   size                   field
=======  =====================  ==================================================
0        4                      magic ``b"GLZ\\x00"``
4        1                      format version: ``1``, or ``2`` with continuous grids
5        8                      model fingerprint (first 8 bytes of a SHA-256)
13       1                      codec id (1: autoregressive over K orders, 2: bits-back, 3: bytes)
14       2                      codec parameter (u16): orders K, or latent bits
16       2                      largest coding group (u16)
18       4                      number of items ``N`` (u32)
22       1                      rank of one item's shape (<= 4)
23       2 per axis             one item's shape (u16 each)
...      2                      version 2 only: number of continuous columns ``G`` (u16)
...      1                      version 2 only: 1 if all ``G`` columns share one step, else 0
...      8 or 8 G               version 2 only: the step(s) (f64)
...      2 varints per column   version 2 only: ``k_min`` (zigzag) and ``k_max - k_min``
...      4 per word             payload: the ANS coder's uint32 words
end - 4  4                      CRC32 of everything before it
=======  =====================  ==================================================

All integers are little-endian. A file without continuous columns is written as version 1
(the same bytes as before version 2 existed); one with them as version 2, whose grids say how
each continuous column was quantized (value ``k * step`` for ``k = k_min..k_max``; a grid
has at most :data:`MAX_LEVELS` points). The header is binary rather than JSON because a file
of one small image is itself only tens of bytes. Reading checks, in order: length, magic, version
(a newer file says so), CRC32 (truncation and corruption), every field's range, and that the
decoded size stays under :data:`MAX_VALUES` (so an untrusted header can never make genlab
allocate without bound). Every failure is a :class:`~genlab.core.errors.ModelFileError`.

Example:
    >>> import numpy as np
    >>> head = Header(b"0" * 8, codec=1, param=4, group=64, n_items=2, item_shape=(8, 8))
    >>> blob = pack(head, np.array([7, 9], np.uint32))
    >>> back, words = unpack(blob)
    >>> back == head, words.tolist(), len(blob)
    (True, [7, 9], 39)
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

from genlab.core.errors import ModelFileError

MAGIC = b"GLZ\x00"
FORMAT_VERSION = 2
FINGERPRINT_BYTES = 8
MAX_RANK = 4
#: Most grid points of one continuous column (every point holds at least one of the
#: ``2^24`` counts of an ANS table, so this also bounds the mass lost to padding).
MAX_LEVELS = 1 << 18
#: Largest ``|k|`` of a grid point: integers up to it are exact in float64.
MAX_GRID_INDEX = 1 << 53
#: Most values one file may decode to (bounds the memory an untrusted header can ask for).
MAX_VALUES = 1 << 27
CODECS = {1: "autoregressive", 2: "bits-back", 3: "byte sequence", 4: "byte streams"}
_FIXED = struct.Struct("<4sB8sBHHIB")  # magic .. rank
_MAX_VARINT_BYTES = 10


@dataclass(frozen=True)
class Header:
    """What a ``.glz`` file says about its content (see the module docstring)."""

    fingerprint: bytes
    codec: int
    param: int
    group: int
    n_items: int
    item_shape: tuple[int, ...]
    #: ``(step, k_min, k_max)`` of each continuous column, in schema order.
    grids: tuple[tuple[float, int, int], ...] = ()

    @property
    def n_values(self) -> int:
        return self.n_items * int(np.prod(self.item_shape, dtype=np.int64))


def pack(header: Header, words: np.ndarray) -> bytes:
    """The file's bytes: header, ``words`` (uint32) and the CRC32."""
    if len(header.item_shape) > MAX_RANK:
        raise ModelFileError(f"an item may have at most {MAX_RANK} axes")
    problem = check_grids(header.grids)
    if problem:
        raise ModelFileError(problem)
    body = _FIXED.pack(
        MAGIC,
        2 if header.grids else 1,
        header.fingerprint[:FINGERPRINT_BYTES],
        header.codec,
        header.param,
        header.group,
        header.n_items,
        len(header.item_shape),
    )
    if any(not 0 < n < 65536 for n in header.item_shape):
        raise ModelFileError(f"item shape {header.item_shape} does not fit the format (u16 axes)")
    body += struct.pack(f"<{len(header.item_shape)}H", *header.item_shape)
    if header.grids:
        steps = [float(g[0]) for g in header.grids]
        shared = len(set(steps)) == 1
        body += struct.pack("<HB", len(steps), int(shared))
        body += struct.pack(f"<{1 if shared else len(steps)}d", *steps[: 1 if shared else None])
        for _, k_min, k_max in header.grids:
            body += _varint(2 * int(k_min) if k_min >= 0 else -2 * int(k_min) - 1)
            body += _varint(int(k_max) - int(k_min))
    body += np.asarray(words, dtype="<u4").tobytes()
    return body + struct.pack("<I", zlib.crc32(body))


def unpack(blob: bytes) -> tuple[Header, np.ndarray]:
    """Check ``blob`` and split it into its header and payload words (uint32)."""
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise ModelFileError(f"a compressed file is bytes, got {type(blob).__name__}")
    blob = bytes(blob)
    if len(blob) < 4 or blob[:4] != MAGIC:
        raise ModelFileError("not a genlab compressed file (bad magic bytes)")
    if len(blob) < 5:
        raise ModelFileError("truncated compressed file (no format version)")
    if blob[4] > FORMAT_VERSION or blob[4] == 0:
        raise ModelFileError(
            f"compressed file has format version {blob[4]}; this genlab reads version "
            f"{FORMAT_VERSION}: upgrade genlab to read it"
        )
    if len(blob) < _FIXED.size + 4:
        raise ModelFileError(f"truncated compressed file ({len(blob)} bytes)")
    body, (crc,) = blob[:-4], struct.unpack("<I", blob[-4:])
    if zlib.crc32(body) != crc:
        raise ModelFileError("compressed file is corrupted or truncated (CRC32 mismatch)")
    _, _, fingerprint, codec, param, group, n_items, rank = _FIXED.unpack_from(body)
    if codec not in CODECS:
        raise ModelFileError(f"compressed file names unknown codec {codec}")
    if rank > MAX_RANK or len(body) < _FIXED.size + 2 * rank:
        raise ModelFileError(f"compressed file has a bad item shape (rank {rank})")
    shape = struct.unpack_from(f"<{rank}H", body, _FIXED.size)
    at = _FIXED.size + 2 * rank
    grids: tuple[tuple[float, int, int], ...] = ()
    if blob[4] >= 2:
        grids, at = _read_grids(body, at)
        problem = check_grids(grids)
        if problem:
            raise ModelFileError(f"compressed file has a bad grid: {problem}")
    payload = body[at:]
    header = Header(fingerprint, codec, param, group, n_items, tuple(shape), grids)
    if param < 1 or group < 1 or header.n_values > MAX_VALUES:
        raise ModelFileError(
            f"compressed file has out-of-range fields (parameter {param}, group {group}, "
            f"{n_items} items of shape {tuple(shape)}; at most {MAX_VALUES} values)"
        )
    if len(payload) % 4:
        raise ModelFileError("compressed file is truncated (payload is not whole words)")
    return header, np.frombuffer(payload, dtype="<u4").astype(np.uint32)


def _varint(n: int) -> bytes:
    """LEB128 bytes of ``n >= 0``."""
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _read_varint(body: bytes, at: int) -> tuple[int, int]:
    """The LEB128 integer at ``body[at:]`` and the offset after it (at most 10 bytes)."""
    n = 0
    for i in range(_MAX_VARINT_BYTES):
        if at + i >= len(body):
            break
        n |= (body[at + i] & 0x7F) << (7 * i)
        if not body[at + i] & 0x80:
            return n, at + i + 1
    raise ModelFileError("compressed file has a bad grid section (truncated or overlong integer)")


def _read_grids(body: bytes, at: int) -> tuple[tuple[tuple[float, int, int], ...], int]:
    """The continuous grids of a version-2 header starting at ``body[at:]``, and their end."""
    if len(body) < at + 3:
        raise ModelFileError("truncated compressed file (no continuous grids)")
    n_grids, shared = struct.unpack_from("<HB", body, at)
    n_steps = 1 if shared == 1 else n_grids
    if n_grids < 1 or shared > 1 or len(body) < at + 3 + 8 * n_steps:
        raise ModelFileError(f"compressed file has a bad grid section ({n_grids} grids)")
    steps = struct.unpack_from(f"<{n_steps}d", body, at + 3)
    at += 3 + 8 * n_steps
    grids = []
    for i in range(n_grids):
        zigzag, at = _read_varint(body, at)
        width, at = _read_varint(body, at)
        k_min = zigzag // 2 if zigzag % 2 == 0 else -(zigzag + 1) // 2
        grids.append((steps[0 if shared else i], k_min, k_min + width))
    return tuple(grids), at


def check_grids(grids: tuple[tuple[float, int, int], ...]) -> str:
    """What is wrong with continuous grids ``(step, k_min, k_max)``, or ``""``: each step finite
    and positive, ``k_min <= k_max``, at most :data:`MAX_LEVELS` points, ``|k|`` at most
    :data:`MAX_GRID_INDEX` and every value ``k * step`` finite.

    Example:
        >>> check_grids(((0.01, -5, 5),)), check_grids(((0.01, 0, 1 << 20),))
        ('', 'grid 0 has 1048577 points (at most 262144): use a larger step')
    """
    if len(grids) > 65535:
        return f"{len(grids)} grids (at most 65535)"
    for i, (step, k_min, k_max) in enumerate(grids):
        if not (np.isfinite(step) and step > 0):
            return f"grid {i} has step {step} (must be finite and > 0)"
        if max(abs(k_min), abs(k_max)) > MAX_GRID_INDEX or k_min > k_max:
            return f"grid {i} has bad bounds {k_min}..{k_max}"
        if k_max - k_min + 1 > MAX_LEVELS:
            n = k_max - k_min + 1
            return f"grid {i} has {n} points (at most {MAX_LEVELS}): use a larger step"
        if not np.isfinite((max(abs(k_min), abs(k_max)) + 1.0) * step):
            return f"grid {i} reaches values beyond float64 (step {step}, bounds {k_min}..{k_max})"
    return ""
