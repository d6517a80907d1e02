"""Drawing tokens: temperature, top-k and top-p (nucleus) filtering, and the generation loop
with or without a KV cache (both give the same tokens for the same seed).

Example:
    >>> import numpy as np
    >>> p = filtered_probs(np.log([[0.5, 0.3, 0.2]]), temperature=1.0, top_k=2, top_p=None)
    >>> p.round(3).tolist()
    [[0.625, 0.375, 0.0]]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from genlab.models.sequence.network import ByteTransformer, window_start
from genlab.nn.sampling import categorical_from_uniform


def filtered_probs(
    logits: np.ndarray, *, temperature: float, top_k: int | None, top_p: float | None
) -> np.ndarray:
    """Probabilities ``(n, V)`` from ``logits (n, V)`` divided by ``temperature``, keeping the
    ``top_k`` most probable tokens and the smallest set whose mass reaches ``top_p``."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    order = np.argsort(-p, axis=1, kind="stable")  # (n, V), most probable first
    ranked = np.take_along_axis(p, order, axis=1)
    keep = np.ones_like(ranked, dtype=bool)
    if top_k is not None:
        keep[:, top_k:] = False
    if top_p is not None:
        before = np.cumsum(ranked, axis=1) - ranked  # mass of the tokens ranked above
        keep &= before < top_p
    mask = np.zeros_like(keep)
    np.put_along_axis(mask, order, keep, axis=1)
    p = np.where(mask, p, 0.0)
    return p / p.sum(axis=1, keepdims=True)


class NextLogits:
    """Logits of the next token of ``n`` equal-length token rows, windowed as in training.

    With ``use_cache`` the keys and values of the current window are kept and each step feeds
    one token; when the window hops, the cache is rebuilt from the new window's tokens.
    """

    def __init__(self, net: ByteTransformer, use_cache: bool = True) -> None:
        self.net, self.use_cache = net, use_cache
        self.cache: list | None = None
        self.start = -1  # first position of the cached window

    def __call__(self, rows: torch.Tensor) -> np.ndarray:
        """``rows (n, T)`` -> logits ``(n, V)`` of the token at position ``T``."""
        j = rows.shape[1] - 1
        s = window_start(j, self.net.context)
        with torch.no_grad():
            if not self.use_cache or self.cache is None or s != self.start:
                logits, cache = self.net(rows[:, s:])
            else:
                logits, cache = self.net(rows[:, j:], cache=self.cache, offset=j - s)
        self.cache, self.start = (cache, s) if self.use_cache else (None, -1)
        return logits[:, -1].double().numpy()


def generate(
    next_logits: NextLogits,
    prefix: np.ndarray,
    n: int,
    max_new_tokens: int,
    pick: Callable[[np.ndarray], np.ndarray],
    finished: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """New tokens ``(n, T)`` continuing ``prefix`` for ``n`` rows in lock-step.

    ``pick(logits (n, V)) -> (n,)`` draws the next tokens; ``finished(new (n, t)) -> (n,)``
    says which rows are done; generation stops when all are, or after ``max_new_tokens``.
    """
    rows = torch.as_tensor(np.tile(prefix, (n, 1)), dtype=torch.int64)  # (n, P)
    new = np.zeros((n, 0), dtype=np.int64)
    for _ in range(max_new_tokens):
        token = pick(next_logits(rows))
        rows = torch.cat([rows, torch.as_tensor(token, dtype=torch.int64)[:, None]], dim=1)
        new = np.concatenate([new, token[:, None]], axis=1)
        if finished(new).all():
            break
    return new


def picker(
    rng: np.random.Generator, temperature: float, top_k: int | None, top_p: float | None
) -> Callable[[np.ndarray], np.ndarray]:
    """A ``pick`` for :func:`generate`: one uniform per row from ``rng`` per step."""

    def pick(logits: np.ndarray) -> np.ndarray:
        p = filtered_probs(logits, temperature=temperature, top_k=top_k, top_p=top_p)
        return categorical_from_uniform(p, rng.random((len(p), 1)))

    return pick
