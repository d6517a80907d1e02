"""A small decoder-only Transformer over byte tokens, with causal attention and a KV cache.

A whole window (no cache) goes through torch's fused causal attention; a step that extends a
cache has its attention written out (matmul, mask, softmax, matmul). The entropy coder needs
its encoder and decoder to compute the same bits, which they do by making the same calls in
the same order with the same shapes (:mod:`genlab.models.sequence.streams`).

Example:
    >>> import torch
    >>> net = ByteTransformer(vocab=257, context=8, width=16, depth=1, heads=2)
    >>> x = torch.randint(0, 257, (2, 5))
    >>> full, _ = net(x)
    >>> part, cache = net(x[:, :3])
    >>> last, _ = net(x[:, 3:5], cache=cache, offset=3)
    >>> full.shape, bool(torch.allclose(full[:, 3:], last, atol=1e-5))
    (torch.Size([2, 5, 257]), True)
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

#: Keys and values of one layer, each ``(B, H, T, head_dim)``.
LayerCache = tuple[torch.Tensor, torch.Tensor]


class KVBuffer:
    """Keys and values of one layer in buffers ``(B, H, context, head_dim)`` filled in place:
    a step writes its token's keys after the ``length`` kept, rather than concatenating a
    new cache (which copies the whole cache every step: a fifth of a coding step's time).
    A call with fewer rows than ``B`` uses the first rows.
    """

    def __init__(self, rows: int, heads: int, context: int, head_dim: int) -> None:
        self.k = torch.zeros(rows, heads, context, head_dim)
        self.v = torch.zeros(rows, heads, context, head_dim)
        self.length = 0

    def extend(self, k: torch.Tensor, v: torch.Tensor) -> LayerCache:
        """Append ``k, v (b, H, T, hd)`` to the first ``b`` rows; the keys and values kept so
        far for those rows, ``(b, H, length, hd)`` views."""
        b, _, T, _ = k.shape
        end = self.length + T
        self.k[:b, :, self.length : end] = k
        self.v[:b, :, self.length : end] = v
        self.length = end
        return self.k[:b, :, :end], self.v[:b, :, :end]


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where a position sees itself and the positions before it."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)

    def forward(
        self, x: torch.Tensor, cache: LayerCache | KVBuffer | None = None, fused: bool = True
    ) -> tuple[torch.Tensor, LayerCache | KVBuffer]:
        B, T, W = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, W // self.heads).unbind(dim=2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # (B, H, T, hd)
        if cache is None and fused:  # a whole window: the fused kernel (faster to train)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, H, T, hd)
            return self.out(y.transpose(1, 2).reshape(B, T, W)), (k, v)
        if isinstance(cache, KVBuffer):
            k, v = cache.extend(k, v)
        elif cache is not None:
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
        S = k.shape[2]  # keys seen: the cached ones, then these T
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, T, S)
        future = torch.ones(T, S, dtype=torch.bool, device=x.device).triu(S - T + 1)
        scores = scores.masked_fill(future, float("-inf"))
        y = scores.softmax(dim=-1) @ v  # (B, H, T, hd)
        kept = cache if isinstance(cache, KVBuffer) else (k, v)
        return self.out(y.transpose(1, 2).reshape(B, T, W)), kept


class Block(nn.Module):
    """Pre-norm Transformer block: attention then a 4x MLP, each with a residual."""

    def __init__(self, width: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(width)
        self.attn = CausalSelfAttention(width, heads)
        self.norm2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(
            nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width), nn.Dropout(dropout)
        )
        self.drop = nn.Dropout(dropout)

    def forward(
        self, x: torch.Tensor, cache: LayerCache | KVBuffer | None = None, fused: bool = True
    ) -> tuple[torch.Tensor, LayerCache | KVBuffer]:
        a, new_cache = self.attn(self.norm1(x), cache, fused)
        x = x + self.drop(a)
        return x + self.mlp(self.norm2(x)), new_cache


class ByteTransformer(nn.Module):
    """Token and learned position embeddings, ``depth`` blocks, a final norm and logits.

    ``forward(tokens (B, T), cache=None, offset=0)`` returns logits ``(B, T, vocab)`` and the
    new cache (one :data:`LayerCache` per block, or the :class:`KVBuffer` s given); ``offset``
    is the position of the first token within its window (the number of cached positions),
    ``offset + T <= context``.
    ``fused=False`` writes a whole window's attention out too (what files of the first
    sequence codec were coded with, so they still decode to the same bits).
    """

    def __init__(
        self, *, vocab: int, context: int, width: int, depth: int, heads: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.context = context
        self.embed = nn.Embedding(vocab, width)
        self.position = nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads, dropout) for _ in range(depth))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab)

    def forward(
        self,
        tokens: torch.Tensor,
        cache: list[LayerCache] | list[KVBuffer] | None = None,
        offset: int = 0,
        fused: bool = True,
    ) -> tuple[torch.Tensor, list]:
        T = tokens.shape[1]
        if offset + T > self.context:
            raise ValueError(f"window of {offset + T} positions exceeds context {self.context}")
        pos = torch.arange(offset, offset + T, device=tokens.device)
        x = self.embed(tokens) + self.position(pos)  # (B, T, W)
        new_cache = []
        for i, block in enumerate(self.blocks):
            x, layer_cache = block(x, None if cache is None else cache[i], fused)
            new_cache.append(layer_cache)
        return self.head(self.norm(x)), new_cache


def window_start(j: int, context: int) -> int:
    """First position of the window the prediction at position ``j`` sees.

    Positions ``j < context`` see the sequence from its start; beyond, windows hop by half a
    context: ``j`` sees ``[(j // h - 1) h, j]`` with ``h = context // 2``, between ``h`` and
    ``2h <= context`` positions. Each conditional depends only on earlier tokens, so the chain
    rule along these windows is an exact likelihood of any length.

    Example:
        >>> [window_start(j, 4) for j in range(9)]
        [0, 0, 0, 0, 2, 2, 4, 4, 6]
    """
    if j < context:
        return 0
    h = context // 2
    return (j // h - 1) * h


def masked_nll(net: ByteTransformer, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy (nats per scored token) of windows ``inputs (B, C)`` against
    ``targets (B, C)``, where target ``-100`` marks a position not scored."""
    logits, _ = net(inputs)  # (B, C, V)
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=-100)
