"""Byte-level decoder-only Transformer for text and code: exact likelihood, sampling, coding.

Tokens are the 256 byte values plus one boundary token (``BOS = EOS = 256``): a text is
``[BOS, b_1, ..., b_n, EOS]``, so any byte string is valid input (UTF-8 or not) and
``log_prob`` is a normalized distribution over byte strings of every length, the end
included. A prediction at position ``j`` sees the window ``window_start(j)..j``: the whole
prefix while ``j < context``, then windows that hop by half a context (between ``context/2``
and ``context`` tokens). Training, ``log_prob``, sampling and coding share these windows,
so the chain rule along them is exact for texts and prompts of any length.

* ``fit(texts)``: texts are a list of ``str`` or ``bytes`` (or a Dataset holding one); each
  is cut into back-to-back crops of ``context`` tokens, every position scored (a crop's early
  positions learn from a short context, as a window's do at the start of a text); a seeded
  tenth of the crops is held out for validation. ``steps_per_epoch`` makes an epoch a number
  of batches rather than a pass, for corpora larger than a pass per validation.
* ``log_prob(texts)``: nats per text, the sum of its ``len + 1`` conditionals (EOS included).
* ``sample(n, prompt=...)``: the continuations of ``prompt`` (without it), ``str`` decoded
  with ``errors="replace"`` when fitted on ``str``, ``bytes`` when fitted on any ``bytes``;
  a KV cache is kept within a window and rebuilt when the window hops.
* ``token_log_probs`` / ``next_log_probs``: the tables the entropy coder needs
  (:mod:`genlab.jobs.compress.sequence`), each window run on its own at one fixed shape
  ``(1, context)`` so encoder and decoder compute the same bits.

Example:
    >>> import genlab
    >>> texts = ["def f(x):\\n    return x\\n"] * 20
    >>> m = genlab.SequenceModel(context=16, width=16, depth=1, heads=2, max_epochs=2,
    ...                          progress=False).fit(texts)
    >>> out = m.sample(2, prompt="def ", max_new_tokens=8, random_state=0)
    >>> len(out), isinstance(out[0], str), m.log_prob(texts[:3]).shape
    (2, True, (3,))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from genlab.core.errors import InputError
from genlab.core.state_columns import schema_columns
from genlab.core.units import bits_per_dim
from genlab.data.columns import Column
from genlab.data.schema import Schema
from genlab.data.text import as_byte_texts
from genlab.models.neural import NeuralModel
from genlab.models.sequence.network import ByteTransformer, masked_nll, window_start
from genlab.models.sequence.sampling import NextLogits, generate, picker
from genlab.models.sequence.streams import StreamPredictor
from genlab.models.sequence.windows import (
    BOS,
    IGNORE,
    VOCAB,
    crops,
    scoring_windows,
    tokens,
    windows,
)

#: What ``schema_`` records: one byte per position (persistence stores a schema).
BYTE_SCHEMA = Schema((Column("byte", "integer", (0, 255), "uint8"),))
_WINDOW_BATCH = 64  # windows per forward pass in log_prob
_VAL_CROPS = 512  # most crops held out for validation


class SequenceModel(NeuralModel):
    """Byte-level decoder-only Transformer (module docstring).

    Args:
        context: positions a prediction may see (window length), >= 2.
        width: embedding width (a multiple of ``heads``).
        depth: Transformer blocks.
        heads: attention heads.
        dropout: dropout in the blocks while training.
        steps_per_epoch: batches per epoch (None: one pass over the crops); validation, early
            stopping, checkpoints and ``max_time`` act between epochs.
        max_epochs, batch_size, lr, weight_decay, patience, max_time, ema_decay, device,
            checkpoint_dir, resume, progress: settings of :class:`~genlab.train.TrainConfig`
            (``batch_size`` counts windows).
        random_state: seed of the weights and of training.

    Attributes:
        text_type_: ``"str"`` when every training text was a ``str`` (samples come back as
            ``str``), else ``"bytes"``.
        train_result_: what training did (:class:`~genlab.train.TrainResult`; losses in nats
            per token).
        schema_: a one-column byte schema (kept so persistence works as for every family).
    """

    family = "sequence"
    modality: ClassVar[str] = "text"
    capabilities = frozenset({"sample", "exact_likelihood", "compress"})
    condition_kinds: ClassVar[frozenset[str]] = frozenset()
    #: The boundary token (begins and ends every text) and the vocabulary size.
    bos_token: ClassVar[int] = BOS
    vocab_size: ClassVar[int] = VOCAB

    #: Hyperparameters added since the first release: at their default, a model's digest (and
    #: so the fingerprint its compressed files carry) is the one it had before they existed.
    digest_skips_defaults: ClassVar[dict[str, Any]] = {"steps_per_epoch": None}

    train_defaults: ClassVar[dict[str, Any]] = {
        "max_epochs": 20,
        "batch_size": 32,
        "lr": 1e-3,
        "patience": 5,
    }

    def __init__(
        self,
        *,
        context: int = 256,
        width: int = 128,
        depth: int = 4,
        heads: int = 4,
        dropout: float = 0.0,
        steps_per_epoch: int | None = None,
    ) -> None:
        self.context = context
        self.steps_per_epoch = steps_per_epoch
        self.width = width
        self.depth = depth
        self.heads = heads
        self.dropout = dropout

    # ================================================================== fit
    def fit(self, X: Any, y: Any = None, *, condition: Any = None) -> SequenceModel:
        """Fit to ``X``: a list of ``str`` or ``bytes`` (or a Dataset holding one).

        Returns:
            self
        """
        if y is not None or condition is not None:
            raise InputError("SequenceModel is unconditional: fit(texts) without labels")
        texts, all_str = as_byte_texts(X)
        if not texts:
            raise InputError("fit needs at least one text, got an empty list")
        self.module_config_ = self._check_params()
        pairs = [crops(tokens(t), self.module_config_["context"]) for t in texts]
        inputs = torch.from_numpy(np.concatenate([p[0] for p in pairs]))  # (W, C)
        targets = torch.from_numpy(np.concatenate([p[1] for p in pairs]))
        if len(inputs) < 2:
            raise InputError(
                f"the texts make {len(inputs)} training window(s); give more text or a "
                "smaller context"
            )
        with torch.random.fork_rng():  # seeded weights, without touching the caller's RNG
            torch.manual_seed(0 if self.random_state is None else int(self.random_state))
            module = self._build_module(self.module_config_)
        # a tenth of the crops validates, at most _VAL_CROPS: enough for a steady loss, and a
        # large corpus's tenth would cost more to score than the epochs between validations
        val_fraction = min(0.1, _VAL_CROPS / len(inputs))
        loss = lambda net, batch: masked_nll(net, *batch)  # noqa: E731
        self._train(module, loss, [inputs, targets], val_fraction=val_fraction)
        self.schema_ = BYTE_SCHEMA  # set last: a failed fit leaves the model unfitted
        self.n_features_in_ = 1
        self.classes_ = None
        self.class_log_prior_ = None
        self.text_type_ = "str" if all_str else "bytes"
        return self

    def _check_params(self) -> dict:
        context, width, heads, depth = (
            int(v) for v in (self.context, self.width, self.heads, self.depth)
        )
        if context < 2 or width < 1 or depth < 1 or heads < 1 or width % heads:
            raise InputError(
                "need context >= 2, depth >= 1 and width a positive multiple of heads; got "
                f"context={context}, width={width}, depth={depth}, heads={heads}"
            )
        if not 0.0 <= float(self.dropout) < 1.0:
            raise InputError(f"dropout must be in [0, 1), got {self.dropout}")
        return {
            "context": context,
            "width": width,
            "depth": depth,
            "heads": heads,
            "dropout": float(self.dropout),
        }

    def _build_module(self, config: dict) -> nn.Module:
        return ByteTransformer(vocab=VOCAB, **config)

    # ========================================================= likelihoods
    def log_prob(self, X: Any, condition: Any = None) -> np.ndarray:
        """Log-likelihood of each text in nats, ``(N,)``: the sum over its bytes and its end
        of ``log p(token | window before it)`` (exact)."""
        self._require("exact_likelihood")
        if condition is not None:
            raise InputError("SequenceModel is unconditional: log_prob(texts) takes no condition")
        texts, _ = as_byte_texts(X)
        if not texts:
            return np.zeros(0)
        C = self.module_config_["context"]
        pairs = [scoring_windows(tokens(t), C) for t in texts]
        owner = np.concatenate([np.full(len(p[0]), i) for i, p in enumerate(pairs)])
        inputs = torch.from_numpy(np.concatenate([p[0] for p in pairs]))  # (W, C)
        targets = torch.from_numpy(np.concatenate([p[1] for p in pairs]))
        per_window = np.zeros(len(inputs))
        with torch.no_grad():
            for s in range(0, len(inputs), _WINDOW_BATCH):
                x, t = inputs[s : s + _WINDOW_BATCH], targets[s : s + _WINDOW_BATCH]
                logp = self.module_(x)[0].double().log_softmax(dim=-1)  # (B, C, V)
                picked = logp.gather(-1, t.clamp(min=0)[..., None])[..., 0]  # (B, C)
                per_window[s : s + len(x)] = (picked * (t != IGNORE)).sum(dim=1).numpy()
        return np.bincount(owner, weights=per_window, minlength=len(texts))

    def bits_per_byte(self, X: Any) -> float:
        """``-sum log_prob / (ln 2 * total bytes)``: bits per byte, each text's end included
        in the numerator."""
        texts, _ = as_byte_texts(X)
        n_bytes = sum(len(t) for t in texts)
        if not n_bytes:
            raise InputError("bits_per_byte needs at least one byte of text")
        return float(bits_per_dim(np.sum(self.log_prob(texts)), n_bytes))

    def bits_per_dim(self, X: Any, condition: Any = None) -> float:
        """Same as :meth:`bits_per_byte` (a byte is a text's dimension)."""
        if condition is not None:
            raise InputError("SequenceModel is unconditional: no condition")
        return self.bits_per_byte(X)

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood per text (nats)."""
        return float(np.mean(self.log_prob(X)))

    # ====================================================== coding tables
    def token_log_probs(self, data: bytes) -> np.ndarray:
        """``log p(token | window)`` at every position of ``[BOS, data..., EOS]`` but the last:
        ``(len(data) + 1, vocab_size)`` float64, row ``j`` predicting token ``j + 1``. Each
        window runs alone at shape ``(1, context)``, as :meth:`next_log_probs` does, so both
        give the same bits."""
        self._check_fitted()
        seq = tokens(bytes(data))
        C = self.module_config_["context"]
        out = np.empty((len(seq) - 1, VOCAB))
        for s, js in windows(len(seq) - 1, C):
            x = np.zeros(C, dtype=np.int64)
            chunk = seq[s : min(s + C, len(seq) - 1)]
            x[: len(chunk)] = chunk
            out[js] = self._window_log_probs(x)[js - s]
        return out

    def next_log_probs(self, history: np.ndarray) -> np.ndarray:
        """``log p(next token | history)``, ``(vocab_size,)`` float64, for token ids
        ``history`` that start with the boundary token (see :meth:`token_log_probs`)."""
        self._check_fitted()
        history = np.asarray(history, dtype=np.int64)
        C = self.module_config_["context"]
        j = len(history) - 1
        s = window_start(j, C)
        x = np.zeros(C, dtype=np.int64)
        x[: j - s + 1] = history[s:]
        return self._window_log_probs(x)[j - s]

    def stream_predictor(self, lengths: Sequence[int]) -> StreamPredictor:
        """Tables of the next byte of streams of ``lengths`` bytes, advanced together a byte a
        step with a KV cache (:class:`~genlab.models.sequence.streams.StreamPredictor`): what
        the entropy coder runs."""
        self._check_fitted()
        return StreamPredictor(self.module_, lengths)

    def _window_log_probs(self, x: np.ndarray) -> np.ndarray:
        """Log-softmax ``(C, V)`` float64 of one window ``x (C,)`` run at shape ``(1, C)``."""
        with torch.no_grad():
            logits = self.module_(torch.from_numpy(x[None]), fused=False)[0][0]  # (C, V)
            return logits.double().log_softmax(dim=-1).numpy()

    # ============================================================== sample
    def sample(
        self,
        n: int = 1,
        condition: Any = None,
        random_state: Any = None,
        *,
        prompt: str | bytes = b"",
        max_new_tokens: int = 256,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        stop: str | bytes | list | None = None,
        use_cache: bool = True,
    ) -> list:
        """``n`` continuations of ``prompt`` (the prompt not included).

        Args:
            n: number of continuations.
            condition: must be None (the model is unconditional).
            random_state: int, None or ``np.random.Generator``.
            prompt: text to continue (any length: windows hop past the context).
            max_new_tokens: most tokens drawn per continuation (the end token included).
            temperature: > 0; logits are divided by it.
            top_k: keep only the ``top_k`` most probable tokens (None: all).
            top_p: keep the smallest set of most probable tokens whose mass reaches it.
            stop: a string (or list of them): a continuation ends before its first one.
            use_cache: keep keys and values between steps (same tokens, faster).

        Returns:
            a list of ``str`` (decoded with ``errors="replace"``) when the model was fitted
            on ``str``, of ``bytes`` when fitted on any ``bytes``.
        """
        self._require("sample")
        if condition is not None:
            raise InputError("SequenceModel is unconditional: sample takes no condition")
        n, max_new = _check_count(n, "n"), _check_count(max_new_tokens, "max_new_tokens")
        _check_filters(temperature, top_k, top_p)
        stops = [] if stop is None else as_byte_texts(stop, "stop")[0]
        if any(not s for s in stops):
            raise InputError("a stop string must not be empty")
        prefix = tokens(as_byte_texts(prompt, "prompt")[0][0])[:-1]  # (P,), no end token
        rng = np.random.default_rng(random_state)
        pick = picker(rng, float(temperature), top_k, top_p)
        new = (
            generate(
                NextLogits(self.module_, use_cache),
                prefix,
                n,
                max_new,
                pick,
                lambda rows: np.array([_cut(r, stops)[1] for r in rows], dtype=bool),
            )
            if n
            else np.zeros((0, 0), dtype=np.int64)
        )
        out = [_cut(row, stops)[0] for row in new]
        return [b.decode("utf-8", "replace") for b in out] if self.text_type_ == "str" else out

    # ========================================================= persistence
    def _get_state(self) -> tuple[dict[str, np.ndarray], dict]:
        arrays, extra = super()._get_state()
        return arrays, {**extra, "text_type": self.text_type_}

    def _set_state(self, arrays: dict[str, np.ndarray], extra: dict) -> None:
        super()._set_state(arrays, extra)
        self.text_type_ = extra["text_type"]

    @classmethod
    def _state_columns(cls, config: dict, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        return {"columns": schema_columns(BYTE_SCHEMA)}  # the network reads bytes


# ================================================================ helpers
def _cut(row: np.ndarray, stops: list[bytes]) -> tuple[bytes, bool]:
    """The bytes of new tokens ``row`` up to the end token or the first stop string, and
    whether the continuation is finished."""
    ends = np.flatnonzero(row == BOS)
    body = row[: ends[0]] if len(ends) else row
    data = body.astype(np.uint8).tobytes()
    hits = [i for i in (data.find(s) for s in stops) if i >= 0]
    if hits:
        return data[: min(hits)], True
    return data, bool(len(ends))


def _check_count(value: Any, name: str) -> int:
    if not isinstance(value, int | np.integer) or value < 0:
        raise InputError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def _check_filters(temperature: Any, top_k: Any, top_p: Any) -> None:
    if not isinstance(temperature, int | float) or not temperature > 0:
        raise InputError(f"temperature must be > 0, got {temperature!r}")
    if top_k is not None and (not isinstance(top_k, int | np.integer) or top_k < 1):
        raise InputError(f"top_k must be a positive integer or None, got {top_k!r}")
    if top_p is not None and not (isinstance(top_p, int | float) and 0 < top_p <= 1):
        raise InputError(f"top_p must be in (0, 1] or None, got {top_p!r}")
