"""Byte tokens and the fixed-length windows that training, scoring and coding share.

A text becomes ``[BOS, b_1, ..., b_n, EOS]`` where ``BOS = EOS = 256`` (the one token beyond
the 256 byte values): the first predicts the first byte, the last ends the text, so
``log_prob`` is a normalized distribution over byte strings of any length.

Example:
    >>> tokens(b"hi").tolist()
    [256, 104, 105, 256]
    >>> [(s, js.tolist()) for s, js in windows(10, 4)]
    [(0, [0, 1, 2, 3]), (2, [4, 5]), (4, [6, 7]), (6, [8, 9])]
    >>> [row.tolist() for row in crops(tokens(b"abcde"), 4)[1]]
    [[97, 98, 99, 100], [101, 256, -100, -100]]
"""

from __future__ import annotations

import numpy as np

from genlab.models.sequence.network import window_start

#: The boundary token: begins every text (as context) and ends it (as a prediction).
BOS = 256
#: Byte values plus the boundary token.
VOCAB = 257
#: Target value of a window position that is not scored.
IGNORE = -100


def tokens(data: bytes) -> np.ndarray:
    """``[BOS, bytes..., EOS]`` as int64 ``(len(data) + 2,)``."""
    body = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    return np.concatenate([[BOS], body, [BOS]])


def windows(n_inputs: int, context: int) -> list[tuple[int, np.ndarray]]:
    """The windows covering predictions at input positions ``0..n_inputs-1``: ``(start,
    positions)`` pairs, each position ``j`` seeing tokens ``start..j`` (see
    :func:`~genlab.models.sequence.network.window_start`)."""
    starts = np.array([window_start(j, context) for j in range(n_inputs)], dtype=np.int64)
    return [(int(s), np.flatnonzero(starts == s)) for s in np.unique(starts)]


def scoring_windows(seq: np.ndarray, context: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets ``(W, context)`` of one token sequence, zero-padded, each target
    scored in exactly one window (the one its prediction is made in), others :data:`IGNORE`."""
    n = len(seq) - 1  # predictions
    rows = windows(n, context)
    inputs = np.zeros((len(rows), context), dtype=np.int64)
    targets = np.full((len(rows), context), IGNORE, dtype=np.int64)
    for i, (s, js) in enumerate(rows):
        stop = min(s + context, n)
        inputs[i, : stop - s] = seq[s:stop]
        targets[i, js - s] = seq[js + 1]
    return inputs, targets


def crops(seq: np.ndarray, context: int) -> tuple[np.ndarray, np.ndarray]:
    """Training inputs and targets ``(W, context)`` of one token sequence: back-to-back crops
    of ``context`` tokens, every position scored (the last crop padded with :data:`IGNORE`).

    Training scores every position of a crop, so a forward pass teaches ``context``
    predictions rather than the half that :func:`scoring_windows` scores; the crops do not
    overlap, so a validation crop is never seen in training.
    """
    n = len(seq) - 1  # predictions
    W = -(-n // context)
    inputs = np.zeros((W, context), dtype=np.int64)
    targets = np.full((W, context), IGNORE, dtype=np.int64)
    flat_in, flat_t = inputs.reshape(-1), targets.reshape(-1)
    flat_in[:n], flat_t[:n] = seq[:-1], seq[1:]
    return inputs, targets
