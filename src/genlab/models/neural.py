"""Plumbing shared by the torch families: training through the one trainer, persistence of an
``nn.Module`` in safetensors, devices and seeds.

A neural family subclasses :class:`NeuralModel`, lists the trainer's settings it exposes among
its keyword-only hyperparameters (any of :class:`~genlab.train.TrainConfig`'s field names:
``max_epochs``, ``batch_size``, ``lr``, ``max_time``, ``device``, ``checkpoint_dir``,
``resume``, ``progress``, ...), and implements:

* ``_build_module(config: dict) -> nn.Module`` — the network from a JSON-able config, so that
  loading rebuilds it without pickle;
* the usual hooks of :class:`~genlab.models.base.GenerativeModel` (``_fit`` calls
  :meth:`NeuralModel._train`);
* optionally ``_extra_arrays()`` / ``_load_extra_arrays(arrays)`` for non-module state
  (standardization constants, ...).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from genlab.models.base import GenerativeModel
from genlab.train import TrainConfig, TrainResult, fit_module

_MODULE_PREFIX = "module."
#: Rows per network evaluation where results must not depend on the batch (entropy coding).
CODING_CHUNK = 64


def fixed_chunks(fn: Any, tensors: list[torch.Tensor]) -> torch.Tensor:
    """``fn`` over rows in chunks of exactly :data:`CODING_CHUNK` (the last zero-padded),
    concatenated, without gradients. Every call sees the same shapes, so a row's result does
    not depend on the rows it is batched with — what an entropy coder's encoder and decoder
    need to compute bit-identical tables.

    Example:
        >>> fixed_chunks(lambda t: t * 2, [torch.arange(3.0)]).tolist()
        [0.0, 2.0, 4.0]
    """
    n = len(tensors[0])
    pad = -n % CODING_CHUNK
    padded = [torch.cat([t, t.new_zeros((pad, *t.shape[1:]))]) for t in tensors]
    with torch.no_grad():
        parts = [
            fn(*(t[s : s + CODING_CHUNK] for t in padded)) for s in range(0, n + pad, CODING_CHUNK)
        ]
    return torch.cat(parts)[:n] if parts else torch.empty(0)


class NeuralModel(GenerativeModel):
    """Base class of torch families (see module docstring)."""

    def _train(
        self, module: nn.Module, loss_fn: Any, tensors: list[torch.Tensor], **overrides: Any
    ) -> TrainResult:
        """Train ``module`` with the family's settings; keeps it as ``self.module_``."""
        config = TrainConfig.from_model(self, description=f"fitting {self.family}", **overrides)
        self.module_ = module
        self.train_result_ = fit_module(module, loss_fn, tensors, config)
        self.module_.to("cpu").eval()  # a fitted model answers on the CPU unless asked
        return self.train_result_

    def _seed(self) -> torch.Generator:
        """A torch generator seeded from ``random_state`` (for weight init and noise)."""
        seed = getattr(self, "random_state", None)
        g = torch.Generator()
        g.manual_seed(0 if seed is None else int(seed))
        return g

    @staticmethod
    def _torch_rng(rng: np.random.Generator) -> torch.Generator:
        """A torch generator seeded from a numpy one, so ``random_state`` drives torch too."""
        return torch.Generator().manual_seed(int(rng.integers(2**63 - 1)))

    # ------------------------------------------------------------ persistence
    def _build_module(self, config: dict) -> nn.Module:
        raise NotImplementedError

    def _extra_arrays(self) -> dict[str, np.ndarray]:
        return {}

    def _load_extra_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        return None

    def _get_state(self) -> tuple[dict[str, np.ndarray], dict]:
        arrays = {
            _MODULE_PREFIX + k: v.detach().cpu().numpy()
            for k, v in self.module_.state_dict().items()
        }
        arrays.update(self._extra_arrays())
        history = getattr(self, "train_result_", None)
        extra = {
            "module_config": self.module_config_,
            "best_val_loss": None if history is None else history.best_val_loss,
        }
        return arrays, extra

    def _set_state(self, arrays: dict[str, np.ndarray], extra: dict) -> None:
        self.module_config_ = extra["module_config"]
        module = self._build_module(self.module_config_)
        state = {
            k[len(_MODULE_PREFIX) :]: torch.from_numpy(np.array(v))
            for k, v in arrays.items()
            if k.startswith(_MODULE_PREFIX)
        }
        module.load_state_dict(state)
        self.module_ = module.eval()
        self._load_extra_arrays(
            {k: v for k, v in arrays.items() if not k.startswith(_MODULE_PREFIX)}
        )
