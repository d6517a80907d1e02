"""Next-byte tables for several byte streams advanced together, one token a step, with a KV
cache: what the entropy coder of :class:`~genlab.SequenceModel` runs on both sides.

A stream of ``n`` bytes is the token sequence ``[BOS, b_1, ..., b_n]``; step ``j`` gives, for
every stream longer than ``j`` bytes, ``log p(b_{j+1} | window before it)`` with the windows of
:func:`~genlab.models.sequence.network.window_start`. The streams are ordered longest first, so
the streams still going at step ``j`` are the first ``a_j`` rows of the batch and of the
cache. While the window stays, a step runs one token per stream against the cache (kept in
preallocated :class:`~genlab.models.sequence.network.KVBuffer` s); when it hops (every
``context / 2`` steps after the first ``context``), the cache is rebuilt from the new
window's tokens in one call.

Why this shape: a decoder learns a byte only after decoding it, so it must run one step per
byte; batching the streams makes a step cost about the same for one stream or many, and the
cache makes it cost one token, not a window of up to ``context`` tokens.
The encoder makes the very same calls with the very same shapes, so the two compute the same
bits (a batched product is not guaranteed to give a row the same bits at another batch size;
here it never has to). Lengths are known to both sides before the first step.

Example:
    >>> import numpy as np, torch, genlab
    >>> m = genlab.SequenceModel(context=8, width=8, depth=1, heads=2, max_epochs=1,
    ...                          progress=False).fit(["abcabc"] * 8)
    >>> streams = [b"abcab", b"ab"]
    >>> p = m.stream_predictor([len(s) for s in streams])
    >>> tables = []
    >>> while not p.done:
    ...     rows = p.order[: p.active]  # the streams still going, in batch order
    ...     tables.append(p.log_probs())  # (active, 257) float64
    ...     p.advance(np.array([streams[k][p.step] for k in rows]))
    >>> [t.shape[0] for t in tables]
    [2, 2, 1, 1, 1]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from genlab.models.sequence.network import ByteTransformer, KVBuffer, window_start
from genlab.models.sequence.windows import BOS


class StreamPredictor:
    """Tables of the next byte of streams of known lengths, one step at a time.

    Args:
        module: the trained network (eval mode; called without gradients).
        lengths: bytes in each stream.

    Attributes:
        order: stream indices, longest first (ties by index): batch row ``i`` is stream
            ``order[i]``.
        step: the byte each active stream predicts next (0-based).
        active: streams longer than ``step`` bytes (the first ``active`` rows).
    """

    def __init__(self, module: ByteTransformer, lengths: Sequence[int]) -> None:
        self.module = module
        self.context = int(module.context)
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.order = np.argsort(-self.lengths, kind="stable")
        longest = int(self.lengths.max(initial=0))
        # (B, longest + 1): BOS then the bytes as they become known, row i = stream order[i]
        self.history = np.zeros((len(self.lengths), longest + 1), dtype=np.int64)
        self.history[:, 0] = BOS
        self.step = 0
        width, heads = module.embed.embedding_dim, module.blocks[0].attn.heads
        self._cache = [
            KVBuffer(len(self.lengths), heads, self.context, width // heads) for _ in module.blocks
        ]
        self._start = -1  # first position of the window the cache holds (none yet)

    @property
    def active(self) -> int:
        return int(np.sum(self.lengths > self.step))

    @property
    def done(self) -> bool:
        return self.active == 0

    def log_probs(self) -> np.ndarray:
        """``(active, 257)`` float64: each active stream's log-probabilities of byte ``step``
        (the end token's entry included, as the network gives it)."""
        a, j = self.active, self.step
        start = window_start(j, self.context)
        with torch.inference_mode():
            if start != self._start:  # a new window: one call over it, its keys kept
                x = torch.from_numpy(self.history[:a, start : j + 1])  # (a, j - start + 1)
                logits, fresh = self.module(x)
                for buffer, (k, v) in zip(self._cache, fresh, strict=True):
                    buffer.length = 0
                    buffer.extend(k, v)
                self._start = start
            else:  # one token against the kept keys of the active rows
                x = torch.from_numpy(self.history[:a, j : j + 1])  # (a, 1)
                logits, _ = self.module(x, cache=self._cache, offset=j - start)
        return logits[:, -1].double().log_softmax(dim=-1).numpy()

    def advance(self, values: np.ndarray) -> None:
        """Record byte ``step`` of each active stream (``values (active,)``, batch order)."""
        a = self.active
        values = np.asarray(values, dtype=np.int64)
        if values.shape != (a,) or (a and (values.min() < 0 or values.max() > 255)):
            raise ValueError(f"advance needs {a} byte values, got shape {values.shape}")
        self.history[:a, self.step + 1] = values
        self.step += 1
