"""Integer probability tables and a thin stack over constriction's ANS coder.

Encoder and decoder must build *bit-identical* integer tables, or decoding goes wrong
silently. The rule here turns float64 log-probabilities into integer frequencies with plain
elementwise arithmetic (no reductions whose order could vary): each entry gets
``floor(p * (2^PRECISION - L)) + 1`` (so every symbol stays codable), and what is left of
``2^PRECISION`` goes to the row's first most probable entry. The tables are handed to
constriction as exact integers; constriction's own (deterministic) quantization then sees the
same numbers on both sides. We use constriction's coder rather than our own: it is exact,
fast and well tested.

Example:
    >>> import numpy as np
    >>> counts = quantize(np.log([[0.5, 0.25, 0.25]]))
    >>> int(counts.sum()), counts.min() >= 1
    (16777216, np.True_)
    >>> stack = Stack()
    >>> stack.push(np.array([2, 0]), np.repeat(counts, 2, axis=0))
    >>> Stack(stack.words()).pop(np.repeat(counts, 2, axis=0)).tolist()
    [2, 0]
"""

from __future__ import annotations

import constriction
import numpy as np

PRECISION = 24  # bits of probability resolution (constriction's default for 32-bit words)
TOTAL = 1 << PRECISION
_FAMILY = constriction.stream.model.Categorical(perfect=False)
_AnsCoder = constriction.stream.stack.AnsCoder
#: Allowance per coded symbol for the gap between the ideal cost ``-log2 (count / 2^24)`` the
#: ledger counts and what the ANS coder's rounding takes (a wide margin over that rounding).
_DRIFT_BITS = 1e-3


def quantize(log_probs: np.ndarray) -> np.ndarray:
    """Integer frequencies ``(B, L)`` summing to ``2^PRECISION`` per row, each >= 1, from
    log-probabilities ``(B, L)`` (need not be normalized; -inf entries get the minimum 1)."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    B, L = log_probs.shape
    top = log_probs.max(axis=1, keepdims=True)
    p = np.exp(log_probs - np.where(np.isfinite(top), top, 0.0))  # (B, L), max entry 1
    total = p.sum(axis=1, keepdims=True)
    p = np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / L)  # all -inf: uniform
    counts = np.floor(p * (TOTAL - L)).astype(np.int64) + 1
    counts[np.arange(B), p.argmax(axis=1)] += TOTAL - counts.sum(axis=1)
    return counts


def uniform(n_rows: int, n_symbols: int) -> np.ndarray:
    """Frequencies of the uniform distribution over ``n_symbols``, ``(n_rows, n_symbols)``."""
    return quantize(np.zeros((n_rows, n_symbols)))


def code_length_bits(symbols: np.ndarray, counts: np.ndarray) -> float:
    """Ideal cost ``sum -log2 (count / 2^PRECISION)`` of ``symbols`` under integer tables."""
    chosen = counts[np.arange(len(symbols)), np.asarray(symbols)]
    return float(np.sum(PRECISION - np.log2(chosen)))


class Stack:
    """A last-in-first-out stack of symbols, each coded with its own integer table.

    ``push(symbols, counts)`` then ``pop(counts)`` returns ``symbols`` in the same order.
    Popping more than was pushed is allowed (it is how bits-back starts on an empty stack).

    A decoder's stack is ``bounded``: it keeps the information ledger ``bits`` (what the words
    hold, plus what was pushed, minus the cost ``-log2 ((count + 1) / 2^PRECISION)`` of every
    popped symbol: at most what the coder takes), and a pop that takes more than the payload
    holds (beyond the coder's 64-bit head and a rounding allowance) raises ValueError. An ANS
    coder pops forever from an exhausted stack, so without this a header that claims millions
    of items over a few words would be decoded to the end before failing; with it, the work is
    bounded by what the payload can hold. A valid file never overdraws:
    its decoder's states are its encoder's, in reverse, and bits-back's first pops (from an
    empty stack) cost the encoder nothing, so its decoder gives back nothing it took.

    Args:
        words: compressed data (uint32 words) to continue from; None starts empty.
        bounded: raise on overdraft (decoding an untrusted file).
    """

    def __init__(self, words: np.ndarray | None = None, *, bounded: bool = False) -> None:
        self._coder = _AnsCoder() if words is None else _AnsCoder(np.asarray(words, np.uint32))
        self.bits = 0.0 if words is None else 32.0 * np.asarray(words).size
        self._floor = -64.0 if bounded else -np.inf
        self._symbols = 0  # symbols coded: the ledger may drift from ANS's rounding per symbol

    def push(self, symbols: np.ndarray, counts: np.ndarray) -> None:
        """Push ``symbols (n,)``, each under its row of ``counts (n, L)``."""
        if len(symbols):
            probs = np.asarray(counts, dtype=np.float64)
            self._coder.encode_reverse(np.asarray(symbols, dtype=np.int32), _FAMILY, probs)
            self.bits += code_length_bits(symbols, counts)
            self._symbols += len(symbols)

    def pop(self, counts: np.ndarray) -> np.ndarray:
        """Pop ``len(counts)`` symbols, the i-th under row i of ``counts (n, L)``; ``(n,)``."""
        if not len(counts):
            return np.zeros(0, dtype=np.int64)
        probs = np.asarray(counts, dtype=np.float64)
        symbols = self._coder.decode(_FAMILY, probs).astype(np.int64)
        # constriction requantizes a table (a count c takes about c + 1 of 2^24): charging
        # c + 1 makes the ledger's pops no dearer than the coder's, so no valid file overdraws
        chosen = np.asarray(counts)[np.arange(len(symbols)), symbols]
        self.bits -= float(np.sum(PRECISION - np.log2(chosen + 1.0)))
        self._symbols += len(symbols)
        if self.bits < self._floor - _DRIFT_BITS * self._symbols:
            raise ValueError(
                f"the payload is exhausted ({-self.bits:.0f} bits more were decoded than it "
                "holds): the header claims more data than the file has"
            )
        return symbols

    def words(self) -> np.ndarray:
        """The compressed data so far, uint32 words."""
        return self._coder.get_compressed()

    def num_bits(self) -> int:
        return int(self._coder.num_bits())
