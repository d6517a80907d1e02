"""Generative adversarial networks: a small conditional DCGAN for images, an MLP GAN for tables.

:class:`GAN` trains a generator ``G(z, c)`` against a discriminator ``D(x, c)`` through the
common trainer with its own step (:class:`~genlab.models.gan.step.GANStep`: two Adam
optimizers, one discriminator update then one generator update per batch).

Objective. The discriminator minimises the standard GAN loss plus the zero-centred R1
gradient penalty on real data, ``gamma / 2 * E_real ||grad_x D(x)||^2``; the generator
minimises the non-saturating loss ``-log sigmoid D(G(z))``. Why this pair: Lucic et al. (2018)
found no loss consistently better than the non-saturating one once each is tuned, and
Mescheder et al. (2018) showed that unregularized GAN training need not converge even near
an equilibrium, while the R1 penalty makes it locally convergent (and costs one double
backward pass on the real batch). ``r1_gamma`` defaults to 1.0, a middle value for data
scaled to unit range (pixels on ``[-1, 1]``, standardized columns); raise it if training
oscillates, lower it if samples stay blurry.

Data: see :mod:`~genlab.models.gan.features` (pixels on ``[-1, 1]`` with a tanh output,
decoded through the schema onto the integer grid; standardized numeric columns; categorical
columns as one-hot blocks that the generator produces with a Gumbel-softmax during training
and as the argmax of its logits when decoding). Labels given to ``fit`` make it
class-conditional (the generator reads a class embedding, the discriminator is a projection
discriminator; see :mod:`~genlab.models.gan.networks`).

A GAN has no likelihood and no encoder: ``log_prob``, ``bits_per_dim``, ``impute``,
``encode`` and compression raise :class:`~genlab.CapabilityError` naming the families that
can. It maps latent codes to data: :meth:`GAN.decode`, :meth:`GAN.draw_latents` and
:meth:`GAN.interpolate` (between two codes or two seeds).

Training validates with the generator's loss against the current discriminator on held-out
batches (it is what the progress bar shows), but that loss measures the balance of the two
networks, not sample quality, so by default (``keep="last"``) the model keeps the last
epoch's weights instead of those of that loss's minimum, and early stopping is off in
practice (``patience`` defaults to 1000 epochs).

References:
    Goodfellow, I. et al. (2014). Generative adversarial nets. NeurIPS.
    Lucic, M. et al. (2018). Are GANs created equal? A large-scale study. NeurIPS.
    Mescheder, L., Geiger, A. & Nowozin, S. (2018). Which training methods for GANs do actually
        converge? ICML.

Example:
    >>> import numpy as np, genlab
    >>> digits = genlab.load_dataset("digits").subset(np.arange(100))
    >>> gan = genlab.GAN(latent_dim=4, hidden=16, conv_width=4, max_epochs=1, progress=False)
    >>> gan = gan.fit(digits)
    >>> gan.sample(2, random_state=0).shape, gan.decode(np.zeros((1, 4))).shape
    ((2, 8, 8), (1, 8, 8))
    >>> gan.interpolate(0, 1, steps=3).shape
    (3, 8, 8)
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from genlab.core.errors import InputError
from genlab.models.gan.features import feature_layout, to_features, to_rows
from genlab.models.gan.networks import GANPair
from genlab.models.gan.step import GANStep, KeepLast, generator_loss
from genlab.models.neural import NeuralModel
from genlab.nn.interpolation import latent_path

ARCHITECTURES = ("auto", "mlp", "conv")
KEEP = ("last", "best")


class GAN(NeuralModel):
    """Generative adversarial network (conditional when fitted with labels); see module
    docstring.

    Args:
        latent_dim: dimension of the Gaussian noise ``z`` the generator maps to data.
        architecture: ``"auto"`` (convolutional on images, MLP on tables), ``"conv"``
            (images only) or ``"mlp"``.
        hidden: width of the MLP layers and of the discriminator's features ``phi(x)``.
        depth: hidden layers of each MLP network.
        conv_width: channels of the first convolution (convolutional networks).
        r1_gamma: weight ``gamma`` of the R1 penalty ``gamma / 2 * E ||grad_x D(x)||^2``
            (0 turns it off).
        beta1, beta2: Adam's moment decays for both networks (DCGAN's ``(0.5, 0.999)`` by
            default; ``(0.0, 0.99)`` is the other common choice).
        gumbel_tau: temperature of the Gumbel-softmax that relaxes generated categories.
        keep: ``"last"`` (the last epoch's weights) or ``"best"`` (those of the lowest
            validation generator loss, the trainer's usual rule).

    Training settings (``max_epochs``, ``lr``, ``random_state``, ...): see
    :class:`genlab.TrainConfig`; here ``lr`` defaults to 2e-4 and ``batch_size`` to 64.

    Example:
        >>> import numpy as np, genlab
        >>> ds = genlab.load_dataset("iris")
        >>> gan = genlab.GAN(latent_dim=2, hidden=16, max_epochs=2, progress=False)
        >>> gan = gan.fit(ds.flat(), ds.y)
        >>> gan.sample(3, condition=ds.y[0], random_state=0).shape
        (3, 4)
        >>> gan.draw_latents(2, random_state=0).shape
        (2, 2)
    """

    family = "gan"
    capabilities = frozenset({"sample", "conditional"})
    condition_kinds = frozenset({"class"})
    train_defaults: ClassVar[dict[str, Any]] = {
        "max_epochs": 300,
        "patience": 1000,
        "lr": 2e-4,
        "batch_size": 64,
    }

    def __init__(
        self,
        *,
        latent_dim: int = 32,
        architecture: str = "auto",
        hidden: int = 128,
        depth: int = 2,
        conv_width: int = 32,
        r1_gamma: float = 1.0,
        beta1: float = 0.5,
        beta2: float = 0.999,
        gumbel_tau: float = 0.2,
        keep: str = "last",
    ) -> None:
        self.latent_dim = latent_dim
        self.architecture = architecture
        self.hidden = hidden
        self.depth = depth
        self.conv_width = conv_width
        self.r1_gamma = r1_gamma
        self.beta1 = beta1
        self.beta2 = beta2
        self.gumbel_tau = gumbel_tau
        self.keep = keep

    # ============================================================== building
    def _check_params(self) -> None:
        for name in ("latent_dim", "hidden", "depth", "conv_width"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise InputError(f"{name} must be a positive integer, got {value!r}")
        if not _is_real(self.r1_gamma) or self.r1_gamma < 0:
            raise InputError(f"r1_gamma must be a number >= 0, got {self.r1_gamma!r}")
        for name in ("beta1", "beta2"):
            value = getattr(self, name)
            if not _is_real(value) or not 0 <= value < 1:
                raise InputError(f"{name} must be a number in [0, 1), got {value!r}")
        if not _is_real(self.gumbel_tau) or self.gumbel_tau <= 0:
            raise InputError(f"gumbel_tau must be a positive number, got {self.gumbel_tau!r}")
        if self.keep not in KEEP:
            raise InputError(f"keep must be one of {KEEP}, got {self.keep!r}")
        if self.architecture not in ARCHITECTURES:
            raise InputError(
                f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}"
            )
        if self.architecture == "conv" and self.schema_.container != "image":
            raise InputError("architecture='conv' needs images (N, H, W[, C]); use 'mlp'")

    @classmethod
    def _state_columns(cls, config: dict, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        layout = config["state"]["module_config"]["layout"]
        columns: dict[int, Any] = dict.fromkeys(layout["numeric"], "numeric")
        columns.update(zip(layout["categorical"], layout["n_categories"], strict=True))
        return {"columns": [columns[j] for j in range(len(columns))]}

    def _module_config(self, A: np.ndarray) -> dict:
        """The networks' JSON-able config, with the feature layout of the columns."""
        image = self.schema_.container == "image"
        conv = self.architecture == "conv" or (self.architecture == "auto" and image)
        return {
            "architecture": "conv" if conv else "mlp",
            "image_shape": list(self.schema_.image_shape) if image else None,
            "latent_dim": int(self.latent_dim),
            "hidden": int(self.hidden),
            "depth": int(self.depth),
            "conv_width": int(self.conv_width),
            "n_classes": 0 if self.classes_ is None else len(self.classes_),
            "gumbel_tau": float(self.gumbel_tau),
            "layout": feature_layout(self.schema_, A),
        }

    def _build_module(self, config: dict) -> nn.Module:
        return GANPair(config)

    def _fit(self, A: np.ndarray, codes: np.ndarray | None) -> None:
        self._check_params()
        self.module_config_ = self._module_config(A)
        with torch.random.fork_rng():  # seeded weights, without touching the caller's RNG
            torch.manual_seed(0 if self.random_state is None else int(self.random_state))
            module = self._build_module(self.module_config_)
        tensors = [to_features(A, self.module_config_["layout"])]
        if codes is not None:
            tensors.append(torch.as_tensor(codes, dtype=torch.long))
        step = GANStep(float(self.r1_gamma), (float(self.beta1), float(self.beta2)))
        callbacks = [KeepLast()] if self.keep == "last" else []
        self._train(module, generator_loss, tensors, step=step, callbacks=callbacks)

    # ============================================================ the hooks
    def _sample(self, n: int, codes: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
        return self._generate(self._latents(n, rng), codes)

    @torch.no_grad()
    def _generate(self, Z: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        """Encoded rows ``(N, D)`` the generator makes of latent codes ``Z (N, latent_dim)``."""
        net = self.module_
        c = None if codes is None else torch.as_tensor(codes, dtype=torch.long)
        raw = net.raw(torch.as_tensor(Z, dtype=torch.float32), c)
        return to_rows(net.activate(raw, relax=False), self.module_config_["layout"])

    def _latents(self, n: int, rng: np.random.Generator) -> np.ndarray:
        g = self._torch_rng(rng)
        return torch.randn(n, int(self.module_config_["latent_dim"]), generator=g).double().numpy()

    # ============================================================ latents
    def draw_latents(self, n: int = 1, random_state: Any = None) -> np.ndarray:
        """The latent codes ``(n, latent_dim)`` that ``sample(n, condition=...,
        random_state=random_state)`` decodes (standard normal draws)."""
        self._check_fitted()
        if not isinstance(n, int | np.integer) or n < 0:
            raise InputError(f"n must be a non-negative integer, got {n!r}")
        return self._latents(int(n), np.random.default_rng(random_state))

    def decode(self, Z: Any, condition: Any = None) -> Any:
        """The generator's output for latent codes ``Z (N, latent_dim)``, in the user's types.

        Args:
            Z: latent codes, one per row (a single code may be 1-d).
            condition: for a class-conditional GAN (required there), one label or ``N``.
        """
        self._check_fitted()
        Z = self._check_latents(Z)
        return self.schema_.decode(self._generate(Z, self._latent_condition(condition, len(Z))))

    def interpolate(
        self, z0: Any, z1: Any, steps: int = 8, *, method: str = "slerp", condition: Any = None
    ) -> Any:
        """Decode ``steps`` points on the latent path from ``z0`` to ``z1`` (ends included).

        A GAN has no encoder, so the ends are latent codes, not examples.

        Args:
            z0, z1: each a latent code ``(latent_dim,)`` or an int seed, which stands for
                ``draw_latents(1, random_state=seed)[0]`` (the code ``sample(1,
                condition=..., random_state=seed)`` decodes).
            steps: number of points, ends included (>= 2).
            method: ``"slerp"`` (great circle, suits the Gaussian noise) or ``"lerp"``.
            condition: one class label, for a class-conditional GAN.

        Returns:
            ``steps`` examples in the training container.
        """
        self._check_fitted()
        ends = [self._end_code(z) for z in (z0, z1)]
        return self.decode(latent_path(ends[0], ends[1], steps, method), condition=condition)

    def _end_code(self, z: Any) -> np.ndarray:
        if isinstance(z, int | np.integer) and not isinstance(z, bool):
            return self.draw_latents(1, random_state=int(z))[0]
        Z = self._check_latents(z)
        if len(Z) != 1:
            raise InputError(f"an end of the path must be one latent code, got {len(Z)}")
        return Z[0]

    def _check_latents(self, Z: Any) -> np.ndarray:
        try:
            Z = np.asarray(Z, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError("Z must be an array of numbers") from None
        Z = Z.reshape(1, -1) if Z.ndim == 1 else Z
        d = int(self.module_config_["latent_dim"])
        if Z.ndim != 2 or Z.shape[1] != d:
            raise InputError(f"Z has shape {Z.shape}; the generator's latent has {d} dimensions")
        if not np.isfinite(Z).all():
            raise InputError("Z holds NaN or infinite values")
        return Z

    def _latent_condition(self, condition: Any, n: int) -> np.ndarray | None:
        if self.classes_ is not None and condition is None:
            raise InputError(
                "this GAN was fitted with labels: pass condition= (one label or one per code)"
            )
        return self._encode_condition(condition, n)


def _is_real(value: Any) -> bool:
    """True for a finite real number (not a bool)."""
    number = isinstance(value, int | float | np.integer | np.floating)
    return number and not isinstance(value, bool) and bool(np.isfinite(value))
