"""Plumbing shared by the torch families: the trainer's settings, training through the one
trainer, persistence of an ``nn.Module`` in safetensors, devices and seeds.

The trainer's settings are declared once, in :data:`TRAIN_SETTINGS` (fields of
:class:`~genlab.train.TrainConfig`, plus ``random_state``): every neural family takes them as
keyword-only hyperparameters without listing them. Its ``__init__`` stores only its own
hyperparameters; :class:`NeuralModel` adds the settings to the signature (so ``get_params``,
``clone`` and ``GridSearchCV`` see them) with the family's defaults from ``train_defaults``.

A neural family subclasses :class:`NeuralModel` and implements:

* ``_build_module(config: dict) -> nn.Module`` — the network from a JSON-able config, so that
  loading rebuilds it without pickle;
* the usual hooks of :class:`~genlab.core.model.GenerativeModel` (``_fit`` calls
  :meth:`NeuralModel._train`);
* optionally ``_extra_arrays()`` / ``_load_extra_arrays(arrays)`` for non-module state
  (standardization constants, ...).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Sequence
from dataclasses import fields
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from genlab.core.checks import check_positive_finite
from genlab.core.errors import InputError
from genlab.core.model import GenerativeModel
from genlab.core.persistence import check_writable_dir
from genlab.nn.heads import ColumnHeads
from genlab.nn.sampling import seeded_generator, torch_generator
from genlab.train import Callback, Step, TrainConfig, TrainResult, fit_module

#: The trainer's settings every neural family takes as hyperparameters, declared here only.
TRAIN_SETTINGS = (
    "max_epochs",
    "batch_size",
    "lr",
    "weight_decay",
    "patience",
    "max_time",
    "ema_decay",
    "device",
    "checkpoint_dir",
    "resume",
    "progress",
    "random_state",
)
_CONFIG_DEFAULTS = {f.name: f.default for f in fields(TrainConfig)} | {"random_state": 0}

_MODULE_PREFIX = "module."
#: Rows per network evaluation where results must not depend on the batch (entropy coding).
CODING_CHUNK = 64


def standard_scale(std: float, mean: float) -> float:
    """The scale a family standardizes a numeric column by: its std, or 1 for a column that
    is constant up to rounding (std within 1e-12 of its magnitude). Relative, not absolute:
    a column of std 1e-13 is data in small units, and the model must be the same in any
    units (tests/models/test_units.py).

    Example:
        >>> standard_scale(1e-13, 0.0), standard_scale(1e-17, 0.1), standard_scale(0.0, 0.0)
        (1e-13, 1.0, 1.0)
    """
    return float(std) if std > 0 and std > 1e-12 * abs(mean) else 1.0


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

    training_records: ClassVar[frozenset[str]] = frozenset({"best_val_loss", "train_seconds"})
    #: Fewest ``max_epochs`` that give a usable model: an untrained network is random, so 1
    #: (a family whose starting point is itself fitted to the data may allow 0).
    min_epochs: ClassVar[int] = 1
    #: This family's defaults for some of :data:`TRAIN_SETTINGS` (the rest: TrainConfig's).
    train_defaults: ClassVar[dict[str, Any]] = {}
    #: The ``module_config`` entry holding the :class:`~genlab.nn.heads.ColumnHeads` spec of
    #: the columns, for a family whose network ends in those heads (see ``_state_columns``).
    heads_config_key: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _with_train_settings(cls.__dict__["__init__"], cls.train_defaults)

    def fit(self, X: Any, y: Any = None, *, condition: Any = None) -> NeuralModel:
        """Check the trainer's settings (before reading the data), then fit as every family.

        Returns:
            self
        """
        check_train_settings(self, self.min_epochs)
        return super().fit(X, y, condition=condition)

    def _train(
        self,
        module: nn.Module,
        loss_fn: Any,
        tensors: list[torch.Tensor],
        *,
        step: Step | None = None,
        callbacks: Sequence[Callback] = (),
        **overrides: Any,
    ) -> TrainResult:
        """Train ``module`` with the family's settings; keeps it as ``self.module_``.

        ``step`` and ``callbacks`` go to :func:`~genlab.train.fit_module` (a family with its
        own optimisation step, e.g. a GAN's two optimizers); ``overrides`` to its config.
        """
        check_train_settings(self, self.min_epochs)
        config = TrainConfig.from_model(self, description=f"fitting {self.family}", **overrides)
        self.module_ = module
        self.train_result_ = fit_module(
            module, loss_fn, tensors, config, step=step, callbacks=callbacks
        )
        self.train_seconds_ = self.train_result_.seconds  # kept when saved, unlike the history
        self.module_.to("cpu").eval()  # a fitted model answers on the CPU unless asked
        return self.train_result_

    def _seed(self) -> torch.Generator:
        """A torch generator seeded from ``random_state`` (for weight init and noise)."""
        return seeded_generator(getattr(self, "random_state", None))

    @staticmethod
    def _torch_rng(rng: np.random.Generator) -> torch.Generator:
        """A torch generator seeded from a numpy one, so ``random_state`` drives torch too."""
        return torch_generator(rng)

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
            "train_seconds": None if history is None else round(history.seconds, 3),
        }
        return arrays, extra

    @classmethod
    def _state_columns(cls, config: dict, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        """The columns of the saved network's heads (families with ``heads_config_key``)."""
        if cls.heads_config_key is None:
            raise NotImplementedError(f"{cls.__name__} does not declare its state's columns")
        spec = config["state"]["module_config"][cls.heads_config_key]
        return {"columns": ColumnHeads.spec_columns(spec)}

    def _set_state(self, arrays: dict[str, np.ndarray], extra: dict) -> None:
        self.module_config_ = extra["module_config"]
        self.train_seconds_ = extra.get("train_seconds")  # None in files made before it
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


def check_train_settings(model: Any, min_epochs: int = 1) -> None:
    """InputError naming the first trainer setting of ``model`` that gives no usable model:
    ``max_epochs`` below ``min_epochs`` (an untrained network would be saved), a time budget,
    learning rate or batch size that is not a finite positive number.

    Example:
        >>> from types import SimpleNamespace as NS
        >>> try:
        ...     check_train_settings(NS(max_epochs=0, max_time=None, lr=1e-3, batch_size=8))
        ... except InputError as e:
        ...     print(str(e)[:34])
        max_epochs must be an integer >= 1
    """
    epochs = model.max_epochs
    if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < min_epochs:
        raise InputError(
            f"max_epochs must be an integer >= {min_epochs} (0 trains nothing and gives a "
            f"random network), got {epochs!r}"
        )
    check_positive_finite("max_time", model.max_time, allow_none=True)
    check_positive_finite("lr", model.lr)
    batch = model.batch_size
    if isinstance(batch, bool) or not isinstance(batch, int | np.integer) or batch < 1:
        raise InputError(f"batch_size must be a positive integer, got {batch!r}")
    if getattr(model, "checkpoint_dir", None) is not None:  # found now, not after an epoch
        check_writable_dir(model.checkpoint_dir, "checkpoint_dir")


def _with_train_settings(init: Any, family_defaults: dict[str, Any]) -> Any:
    """``init`` taking :data:`TRAIN_SETTINGS` too: they are stored on the model, the rest of
    the keywords go to ``init``; the signature lists both (scikit-learn reads it)."""
    signature = inspect.signature(init)
    own = signature.parameters
    defaults = _CONFIG_DEFAULTS | family_defaults
    added = [name for name in TRAIN_SETTINGS if name not in own]
    extra = [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=defaults[n]) for n in added
    ]

    @functools.wraps(init)
    def __init__(self: NeuralModel, **kwargs: Any) -> None:
        settings = {name: kwargs.pop(name, defaults[name]) for name in added}
        init(self, **kwargs)  # may call a parent family's __init__, which sets its defaults
        for name, value in settings.items():
            setattr(self, name, value)

    __init__.__signature__ = signature.replace(parameters=[*own.values(), *extra])
    return __init__
