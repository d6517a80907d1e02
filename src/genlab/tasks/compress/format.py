"""The ``.glz`` container: a small binary header, the coder's words and a CRC32.

=======  =====================  ==================================================
offset   size                   field
=======  =====================  ==================================================
0        4                      magic ``b"GLZ\\x00"``
4        1                      format version (this genlab writes and reads ``1``)
5        8                      model fingerprint (first 8 bytes of a SHA-256)
13       1                      codec id (1: autoregressive over K orders, 2: bits-back)
14       2                      codec parameter (u16): orders K, or latent bits
16       2                      largest coding group (u16)
18       4                      number of items ``N`` (u32)
22       1                      rank of one item's shape (<= 4)
23       2 per axis             one item's shape (u16 each)
...      4 per word             payload: the ANS coder's uint32 words
end - 4  4                      CRC32 of everything before it
=======  =====================  ==================================================

All integers are little-endian. The header is binary rather than JSON because a file of one
small image is itself only tens of bytes. Reading checks, in order: length, magic, version
(a newer file says so), CRC32 (truncation and corruption), every field's range, and that the
decoded size stays under :data:`MAX_VALUES` (so an untrusted header can never make genlab
allocate without bound). Every failure is a :class:`~genlab.errors.ModelFileError`.

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

from genlab.errors import ModelFileError

MAGIC = b"GLZ\x00"
FORMAT_VERSION = 1
FINGERPRINT_BYTES = 8
MAX_RANK = 4
#: Most values one file may decode to (bounds the memory an untrusted header can ask for).
MAX_VALUES = 1 << 27
CODECS = {1: "autoregressive", 2: "bits-back"}
_FIXED = struct.Struct("<4sB8sBHHIB")  # magic .. rank


@dataclass(frozen=True)
class Header:
    """What a ``.glz`` file says about its content (see the module docstring)."""

    fingerprint: bytes
    codec: int
    param: int
    group: int
    n_items: int
    item_shape: tuple[int, ...]

    @property
    def n_values(self) -> int:
        return self.n_items * int(np.prod(self.item_shape, dtype=np.int64))


def pack(header: Header, words: np.ndarray) -> bytes:
    """The file's bytes: header, ``words`` (uint32) and the CRC32."""
    if len(header.item_shape) > MAX_RANK:
        raise ModelFileError(f"an item may have at most {MAX_RANK} axes")
    body = _FIXED.pack(
        MAGIC,
        FORMAT_VERSION,
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
    payload = body[_FIXED.size + 2 * rank :]
    header = Header(fingerprint, codec, param, group, n_items, tuple(shape))
    if param < 1 or group < 1 or header.n_values > MAX_VALUES:
        raise ModelFileError(
            f"compressed file has out-of-range fields (parameter {param}, group {group}, "
            f"{n_items} items of shape {tuple(shape)}; at most {MAX_VALUES} values)"
        )
    if len(payload) % 4:
        raise ModelFileError("compressed file is truncated (payload is not whole words)")
    return header, np.frombuffer(payload, dtype="<u4").astype(np.uint32)
