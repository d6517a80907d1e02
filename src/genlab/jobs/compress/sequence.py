"""Lossless coding of byte strings with a sequence model (:class:`~genlab.SequenceModel`).

Each text is coded as its bytes then the end token, every token under the model's
``log p(token | window before it)`` quantized by :func:`~genlab.jobs.compress.ans.quantize`.
The encoder gets every table of a text from :meth:`token_log_probs` (one network call per
window); the decoder, which learns the text one token at a time, from :meth:`next_log_probs`
(one call per token). Both run every window alone at the same fixed shape ``(1, context)``
with attention written out, so a position's table has the same bits whatever follows it in
the window (what the model tests check), and the coder's tables agree.

The container is :mod:`~genlab.jobs.compress.format`'s with codec id :data:`SEQUENCE_CODEC`;
``n_items`` counts the texts and the codec parameter records how to give them back
(``1 + 1`` if bytes rather than ``str``, ``+ 2`` if one text rather than a list).

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

#: Codec id of byte sequences in the container's header (``format.CODECS``).
SEQUENCE_CODEC = 3
_BYTES_FLAG, _SINGLE_FLAG = 1, 2


def is_sequence_model(model: Any) -> bool:
    """Whether ``model`` codes byte strings (it gives ``token_log_probs``/``next_log_probs``)."""
    return "compress" in getattr(model, "capabilities", ()) and hasattr(model, "next_log_probs")


def compress_texts(model: Any, X: Any, fingerprint: bytes) -> bytes:
    """The container holding texts ``X`` (a list of ``str``/``bytes``, or one) coded with
    ``model``, whose fingerprint is ``fingerprint``."""
    texts, all_str = as_byte_texts(X)
    single = isinstance(X, str | bytes | bytearray | memoryview)
    end = int(model.bos_token)
    stack = Stack()
    for data in reversed(texts):  # last in, first out: the decoder reads text 0 first
        symbols = np.append(np.frombuffer(data, dtype=np.uint8).astype(np.int64), end)
        stack.push(symbols, quantize(model.token_log_probs(data)))
    flags = 1 + (0 if all_str else _BYTES_FLAG) + (_SINGLE_FLAG if single else 0)
    header = Header(fingerprint, SEQUENCE_CODEC, flags, 1, len(texts), (1,))
    return pack(header, stack.words())


def decompress_texts(header: Header, words: np.ndarray, model: Any, fingerprint: bytes) -> Any:
    """The texts in a container read as ``header`` and ``words`` (see :func:`compress_texts`).

    Raises:
        ModelFileError: the file holds no texts, ``model`` codes no texts, the file was made
            with another model, or the payload is corrupted.
    """
    if header.codec != SEQUENCE_CODEC:
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
    stack, budget = Stack(words, bounded=True), MAX_VALUES
    try:
        texts = []
        for _ in range(header.n_items):
            data = _pop_text(stack, model, budget)
            budget -= len(data) + 1
            texts.append(data)
        left = stack.words().size
    except (ValueError, RuntimeError, OverflowError, IndexError) as e:
        raise ModelFileError(f"compressed payload is corrupted ({e})") from None
    if left:
        raise ModelFileError("compressed payload is corrupted (data left after decoding)")
    if not flags & _BYTES_FLAG:
        texts = [t.decode("utf-8", "surrogatepass") for t in texts]
    return texts[0] if flags & _SINGLE_FLAG and len(texts) == 1 else texts


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
