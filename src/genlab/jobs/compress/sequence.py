"""Lossless coding of byte strings with a sequence model (:class:`~genlab.SequenceModel`).

Each text is cut into streams of at most ``SEGMENT_KB`` KiB, and all the streams of all the
texts are coded together, one byte of every stream a step, each byte under the model's
``log p(byte | window before it)`` quantized by :func:`~genlab.jobs.compress.ans.quantize`.
The model's :meth:`~genlab.SequenceModel.stream_predictor` gives the tables (a KV cache, the
streams batched); encoder and decoder make the same calls with the same shapes, so their
tables agree bit for bit. Cutting a long text into streams costs a little (each stream starts
without context) and buys speed (a step costs about as much for one stream as for many; the
decoder has to run one step per byte).

The payload (codec :data:`SEQUENCE_CODEC`) is each text's length in bytes (two uint32 words,
low then high), then the steps in blocks of about :data:`BLOCK_ROWS` coded bytes, each block
its own ANS stack prefixed by its number of words (so the encoder keeps one block's tables in
memory, not the whole file's). Lengths are coded outright rather than by the end token: 64
bits a text, and the decoder knows every stream's length before its first step. The header's
``group`` holds ``SEGMENT_KB``; ``n_items`` counts the texts and its parameter records how to
give them back (``1 + 1`` if bytes rather than ``str``, ``+ 2`` if one text rather than a
list). Files of codec :data:`SEQUENCE_CODEC_V1` (one text after another, a full window per
byte: far slower) still decode.

Example:
    >>> import genlab
    >>> m = genlab.SequenceModel(context=8, width=8, depth=1, heads=1, max_epochs=1,
    ...                          progress=False).fit(["abcabc"] * 8)
    >>> blob = genlab.compress(m, ["abc", "\\u00e9t\\u00e9"])
    >>> genlab.decompress(blob, m)
    ['abc', 'été']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.core.errors import ModelFileError
from genlab.data.text import as_byte_texts
from genlab.jobs.compress.ans import Stack, quantize
from genlab.jobs.compress.format import CODECS, MAX_VALUES, Header, pack

#: Codec ids of byte sequences in the container's header (``format.CODECS``): the current
#: one (streams in blocks), and the first (one window per byte), which still decodes.
SEQUENCE_CODEC, SEQUENCE_CODEC_V1 = 4, 3
SEQUENCE_CODECS = (SEQUENCE_CODEC_V1, SEQUENCE_CODEC)
#: Most bytes of a text in one stream (KiB, stored in the header).
SEGMENT_KB = 8
#: Coded bytes per block (each block is one ANS stack; its tables are what the encoder holds).
BLOCK_ROWS = 1 << 16
_BYTES_FLAG, _SINGLE_FLAG = 1, 2


def is_sequence_model(model: Any) -> bool:
    """Whether ``model`` codes byte strings (it gives ``stream_predictor``/``next_log_probs``)."""
    return "compress" in getattr(model, "capabilities", ()) and hasattr(model, "stream_predictor")


def segments(lengths: list[int], segment: int) -> list[tuple[int, int, int]]:
    """``(text, first byte, length)`` of every stream: each text cut into pieces of at most
    ``segment`` bytes (an empty text has none).

    Example:
        >>> segments([5, 0, 2], 3)
        [(0, 0, 3), (0, 3, 2), (2, 0, 2)]
    """
    return [
        (t, a, min(segment, n - a)) for t, n in enumerate(lengths) for a in range(0, n, segment)
    ]


def compress_texts(model: Any, X: Any, fingerprint: bytes) -> bytes:
    """The container holding texts ``X`` (a list of ``str``/``bytes``, or one) coded with
    ``model``, whose fingerprint is ``fingerprint``."""
    texts, all_str = as_byte_texts(X)
    single = isinstance(X, str | bytes | bytearray | memoryview)
    lengths = [len(t) for t in texts]
    pieces = segments(lengths, SEGMENT_KB * 1024)
    predictor = model.stream_predictor([n for _, _, n in pieces])
    # (streams, longest) bytes, row i = stream predictor.order[i]: step j codes column j
    grid = np.zeros((len(pieces), max((n for *_, n in pieces), default=0)), dtype=np.int64)
    for row, k in enumerate(predictor.order):
        t, a, n = pieces[k]
        grid[row, :n] = np.frombuffer(texts[t], dtype=np.uint8, count=n, offset=a)
    words = [np.array(lengths, dtype="<u8").view("<u4")]
    symbols: list[np.ndarray] = []
    tables: list[np.ndarray] = []
    coded = 0  # bytes in this block
    while not predictor.done:
        a, j = predictor.active, predictor.step
        tables.append(quantize(predictor.log_probs()))
        symbols.append(grid[:a, j])
        predictor.advance(grid[:a, j])
        coded += a
        if coded >= BLOCK_ROWS or predictor.done:
            stack = Stack()
            stack.push(np.concatenate(symbols), np.concatenate(tables))
            block = stack.words()
            words += [np.array([block.size], dtype=np.uint32), block]
            symbols, tables, coded = [], [], 0
    flags = 1 + (0 if all_str else _BYTES_FLAG) + (_SINGLE_FLAG if single else 0)
    header = Header(fingerprint, SEQUENCE_CODEC, flags, SEGMENT_KB, len(texts), (1,))
    return pack(header, np.concatenate(words).astype(np.uint32))


def decompress_texts(header: Header, words: np.ndarray, model: Any, fingerprint: bytes) -> Any:
    """The texts in a container read as ``header`` and ``words`` (see :func:`compress_texts`).

    Raises:
        ModelFileError: the file holds no texts, ``model`` codes no texts, the file was made
            with another model, or the payload is corrupted.
    """
    if header.codec not in SEQUENCE_CODECS:
        raise ModelFileError(
            f"this file holds codec {header.codec} ({CODECS.get(header.codec)}), not texts: "
            f"a {type(model).__name__} decodes texts only"
        )
    if not is_sequence_model(model):
        raise ModelFileError(
            f"this file holds texts coded by a sequence model; a {type(model).__name__} "
            "cannot decode them"
        )
    if header.fingerprint != fingerprint:
        raise ModelFileError("this file was compressed with another model (fingerprint differs)")
    flags = header.param - 1
    if not 0 <= flags <= 3 or header.item_shape != (1,):
        raise ModelFileError(f"compressed file has a bad text codec parameter {header.param}")
    try:
        if header.codec == SEQUENCE_CODEC_V1:
            texts = _decode_v1(Stack(words, bounded=True), model, header.n_items)
        else:
            texts = _decode_streams(words, model, header.n_items, header.group * 1024)
    except (ValueError, RuntimeError, OverflowError, IndexError) as e:
        raise ModelFileError(f"compressed payload is corrupted ({e})") from None
    if not flags & _BYTES_FLAG:
        texts = [t.decode("utf-8", "surrogatepass") for t in texts]
    return texts[0] if flags & _SINGLE_FLAG and len(texts) == 1 else texts


def _decode_streams(words: np.ndarray, model: Any, n_texts: int, segment: int) -> list[bytes]:
    """The texts of a :data:`SEQUENCE_CODEC` payload (see the module docstring)."""
    if len(words) < 2 * n_texts:
        raise ValueError("the payload is shorter than its texts' lengths")
    lengths = words[: 2 * n_texts].astype("<u4").view("<u8").astype(np.int64)
    if n_texts and (lengths.min() < 0 or lengths.sum() > MAX_VALUES):
        raise ValueError(f"the texts claim {lengths.sum()} bytes, at most {MAX_VALUES} allowed")
    pieces = segments(lengths.tolist(), segment)
    predictor = model.stream_predictor([n for _, _, n in pieces])
    grid = np.zeros((len(pieces), max((n for *_, n in pieces), default=0)), dtype=np.uint8)
    at, stack, coded = 2 * n_texts, None, 0
    while not predictor.done:
        if stack is None:  # a block starts: its length, then its words
            size = int(words[at])
            stack, at, coded = Stack(words[at + 1 : at + 1 + size], bounded=True), at + 1 + size, 0
        a, j = predictor.active, predictor.step
        values = stack.pop(quantize(predictor.log_probs()))
        if values.max() > 255:  # the end token: never coded in this codec
            raise ValueError("a stream holds the end token")
        grid[:a, j] = values
        predictor.advance(values)
        coded += a
        if coded >= BLOCK_ROWS or predictor.done:
            if stack.words().size:
                raise ValueError("data left at the end of a block")
            stack = None
    if at != len(words):
        raise ValueError("data left after the last block")
    texts = [bytearray() for _ in range(n_texts)]
    for row, k in enumerate(predictor.order):  # streams come in text order, pieces in order
        t, _, n = pieces[k]
        texts[t] += grid[row, :n].tobytes()
    return [bytes(t) for t in texts]


def _decode_v1(stack: Stack, model: Any, n_texts: int) -> list[bytes]:
    """The texts of a :data:`SEQUENCE_CODEC_V1` payload: one after another, each popped a
    token at a time (a full window each) until the end token."""
    texts, budget = [], MAX_VALUES
    for _ in range(n_texts):
        data = _pop_text(stack, model, budget)
        budget -= len(data) + 1
        texts.append(data)
    if stack.words().size:
        raise ValueError("data left after decoding")
    return texts


def _pop_text(stack: Stack, model: Any, budget: int) -> bytes:
    """One text popped token by token until the end token (at most ``budget`` tokens)."""
    end = int(model.bos_token)
    history = [end]
    for _ in range(budget):
        symbol = int(stack.pop(quantize(model.next_log_probs(np.array(history))[None]))[0])
        if symbol == end:
            return np.array(history[1:], dtype=np.uint8).tobytes()
        history.append(symbol)
    raise ModelFileError("compressed payload is corrupted (a text never ends)")
