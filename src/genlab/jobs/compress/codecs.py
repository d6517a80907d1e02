"""Codecs as push/pop pairs on a :class:`~genlab.jobs.compress.ans.Stack` (craystack's design).

* :class:`Autoregressive` codes rows of symbols, each row along its own order of the columns,
  with the conditionals ``p(x_sigma(t) | x_sigma(<t))`` of a model's public probability
  tables (:mod:`~genlab.jobs.compress.chain`). ``push`` sends all steps to the network at
  once (the encoder knows every value); ``pop`` must go step by step, each step batched over
  the rows.
* :class:`OrderMixture` codes with the mixture ``p(x) = (1/K) sum_k p(x | sigma_k)`` of an
  any-order model by **bits-back over the order index** k (Frey & Hinton, 1997; Townsend et
  al., 2019): push pops ``k ~ q(k | x) ∝ p(x | sigma_k)`` off the stack, pushes x under
  order k, then pushes k under the uniform prior; the net cost is ``-log2 p(x)``, after the
  few initial bits the first group has to pop from an empty stack. ``pop`` runs the three
  steps backwards.

Tables are float64 log-probabilities quantized by :func:`~genlab.jobs.compress.ans.quantize`;
every sum that feeds a table is taken over the same contiguous axis on both sides.

References:
    Townsend, J., Bird, T. & Barber, D. (2019). Practical lossless compression with latent
    variables using bits back coding. ICLR (BB-ANS, craystack).
    Uria, B., Murray, I. & Larochelle, H. (2014). A deep and tractable density estimator. ICML
    (ensembles over orders).

Example:
    >>> import genlab, numpy as np
    >>> from genlab.jobs.compress.ans import Stack
    >>> ds = genlab.load_dataset("digits").subset(np.arange(100))
    >>> m = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=1, progress=False).fit(ds)
    >>> A = m.schema_.encode(ds.X[:3])  # (3, 64) values 0..16, here also the symbols
    >>> codec = OrderMixture(m, coding_orders(2, 64), lo=np.zeros(64))
    >>> stack = Stack()
    >>> codec.push(stack, A.astype(int))
    >>> np.array_equal(codec.pop(stack, 3), A), stack.words().size
    (True, 0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.jobs.compress.ans import Stack, quantize, uniform
from genlab.jobs.compress.chain import chain_log_pmf, step_log_probs, target_log_pmf
from genlab.jobs.compress.grid import Bins, symbol_values

ORDER_SEED = 0  # the coding orders are part of the format: never change it


def coding_orders(n_orders: int, n_features: int) -> np.ndarray:
    """The orders a file with ``n_orders`` uses, ``(K, D)``: raster, then seeded permutations
    (the same as ``AutoregressiveModel(random_state=0).log_prob_orders(X, orders=K)``).

    Example:
        >>> coding_orders(2, 3)[0].tolist()
        [0, 1, 2]
    """
    rng = np.random.default_rng(ORDER_SEED)
    return np.stack(
        [np.arange(n_features)] + [rng.permutation(n_features) for _ in range(n_orders - 1)]
    )


class Autoregressive:
    """Rows of symbols ``(B, D)``, row i along ``orders[i]``, under a model's conditionals.

    Args:
        model: fitted model with ``conditional_params`` and ``column_log_pmf``.
        orders: ``(B, D)`` one order per row.
        lo: ``(D,)`` value of symbol 0 of each column (``value = lo + symbol``; a continuous
            column's ``k_min``, see :func:`~genlab.jobs.compress.grid.symbol_values`).
        batch_size: rows per network call of ``push`` (``pop`` goes step by step).
        tables: the ``(B, D, L)`` tables of ``push`` if already computed.
        bins: ``{column: (step, k_min, k_max)}`` of the continuous columns.
    """

    def __init__(
        self,
        model: Any,
        orders: np.ndarray,
        lo: np.ndarray,
        batch_size: int = 64,
        tables: np.ndarray | None = None,
        bins: Bins | None = None,
    ) -> None:
        self.model, self.orders, self.lo = model, orders, np.asarray(lo, dtype=np.float64)
        self.batch_size, self.tables, self.bins = batch_size, tables, bins or {}

    def push(self, stack: Stack, symbols: np.ndarray) -> None:
        B, D = symbols.shape
        if self.tables is None:
            values = symbol_values(symbols, self.lo, self.bins)
            self.tables = chain_log_pmf(self.model, values, self.orders, self.batch_size, self.bins)
        counts = quantize(self.tables.transpose(1, 0, 2).reshape(B * D, -1))  # step-major
        along = np.take_along_axis(symbols, self.orders, axis=1)  # (B, D) symbol at step t
        stack.push(along.T.reshape(-1), counts)  # pop returns step 0 first

    def pop(self, stack: Stack) -> np.ndarray:
        B, D = self.orders.shape
        values = np.zeros((B, D))
        observed = np.zeros((B, D), dtype=bool)
        symbols = np.zeros((B, D), dtype=np.int64)
        tables = []
        rows = np.arange(B)
        for t in range(D):
            target = self.orders[:, t]
            lp = target_log_pmf(self.model, values, observed, target, self.bins)  # (B, L)
            symbol = stack.pop(quantize(lp))
            symbols[rows, target] = symbol
            values[rows, target] = symbol_values(symbols, self.lo, self.bins)[rows, target]
            observed[rows, target] = True
            tables.append(lp)
        self.tables = np.stack(tables, axis=1)  # (B, D, L)
        return symbols


class OrderMixture:
    """Rows of symbols under the uniform mixture over ``orders`` (K, D), by bits-back over the
    order index (module docstring). With K = 1 it is the plain :class:`Autoregressive` codec.

    Args:
        model: fitted model with ``conditional_params`` and ``column_log_pmf``.
        orders: ``(K, D)`` the orders of the mixture.
        lo: ``(D,)`` value of symbol 0 of each column.
        batch_size: rows per network call.
        bins: ``{column: (step, k_min, k_max)}`` of the continuous columns.
    """

    #: Groups may grow 4x: a group pops at most log2 K bits per row, far less than it pushes.
    growth = 4

    def __init__(
        self,
        model: Any,
        orders: np.ndarray,
        lo: np.ndarray,
        batch_size: int = 64,
        bins: Bins | None = None,
    ) -> None:
        self.model, self.orders, self.lo, self.batch_size = model, orders, lo, batch_size
        self.bins = bins or {}

    def _codec(self, k: np.ndarray, tables: np.ndarray | None = None) -> Autoregressive:
        return Autoregressive(
            self.model, self.orders[k], self.lo, self.batch_size, tables, self.bins
        )

    @staticmethod
    def _posterior(lp_steps: np.ndarray) -> np.ndarray:
        """Integer tables of ``q(k | x) ∝ p(x | sigma_k)`` from ``(B, K, D)`` step log-probs."""
        return quantize(lp_steps.sum(axis=-1))  # (B, K)

    def push(self, stack: Stack, symbols: np.ndarray) -> None:
        """Push rows ``symbols (B, D)``."""
        B, D = symbols.shape
        K = len(self.orders)
        if K == 1:
            self._codec(np.zeros(B, dtype=np.int64)).push(stack, symbols)
            return
        orders = np.tile(self.orders, (B, 1))  # (B * K, D) row b, order k at b * K + k
        values = symbol_values(np.repeat(symbols, K, axis=0), self.lo, self.bins)
        tables = chain_log_pmf(self.model, values, orders, self.batch_size, self.bins)
        tables = tables.reshape(B, K, D, -1)
        lp = step_log_probs(tables, np.repeat(symbols[:, None], K, axis=1), self.orders[None])
        k = stack.pop(self._posterior(lp))  # (B,) bits back
        self._codec(k, tables[np.arange(B), k]).push(stack, symbols)
        stack.push(k, uniform(B, K))

    def pop(self, stack: Stack, n_rows: int) -> np.ndarray:
        """Pop ``n_rows`` rows of symbols, ``(n_rows, D)``."""
        K, D = self.orders.shape
        if K == 1:
            return self._codec(np.zeros(n_rows, dtype=np.int64)).pop(stack)
        k = stack.pop(uniform(n_rows, K))
        codec = self._codec(k)
        symbols = codec.pop(stack)
        others = np.array([[j for j in range(K) if j != kb] for kb in k]).reshape(n_rows, K - 1)
        rows = np.repeat(np.arange(n_rows), K - 1)
        other_tables = chain_log_pmf(
            self.model,
            symbol_values(symbols[rows], self.lo, self.bins),
            self.orders[others.reshape(-1)],
            self.batch_size,
            self.bins,
        ).reshape(n_rows, K - 1, D, -1)
        tables = np.empty((n_rows, K, D, other_tables.shape[-1]))
        tables[np.arange(n_rows), k] = codec.tables
        tables[rows, others.reshape(-1)] = other_tables.reshape(-1, D, other_tables.shape[-1])
        lp = step_log_probs(tables, np.repeat(symbols[:, None], K, axis=1), self.orders[None])
        stack.push(k, self._posterior(lp))
        return symbols
