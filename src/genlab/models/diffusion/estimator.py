"""Diffusion models: DDPM training, DDIM sampling, classifier-free guidance, RePaint imputation.

:class:`Diffusion` is the scikit-learn façade. The pieces:

==============================================  ==============================================
module                                          what
==============================================  ==============================================
:mod:`~genlab.models.diffusion.process`         ``GaussianDiffusion``: the cosine schedule,
                                                ``q_sample``, the training loss, the DDIM
                                                step, the terms of the bound
:mod:`~genlab.models.diffusion.layout`          the columns in the continuous space (grids on
                                                ``[-1, 1]``, standardized numbers, one-hot
                                                categories) and the decoder ``p(x_0 | x_1)``
:mod:`~genlab.models.diffusion.unet`            the small U-Net for images
:mod:`~genlab.models.diffusion.mlp`             the MLP denoiser for tables
:mod:`~genlab.models.diffusion.reverse`         guidance, DDIM sampling, RePaint
:mod:`~genlab.models.diffusion.bound`           ``log_prob``: the variational bound
:mod:`~genlab.models.diffusion.latents`         ``encode``/``decode`` by DDIM inversion
:mod:`~genlab.models.diffusion.trajectory`      ``trajectory``: the reverse pass step by step
==============================================  ==============================================

Example:
    >>> import numpy as np, genlab
    >>> digits = genlab.load_dataset("digits").subset(np.arange(100))
    >>> m = genlab.Diffusion(width=8, timesteps=50, steps=5, max_epochs=1, progress=False)
    >>> m = m.fit(digits)
    >>> m.sample(2, random_state=0).shape
    (2, 8, 8)
    >>> m.encode(digits.X[:2]).shape, m.interpolate(digits.X[0], digits.X[1], steps=3).shape
    ((2, 64), (3, 8, 8))
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from genlab.core.errors import InputError
from genlab.models.diffusion.bound import negative_bound
from genlab.models.diffusion.latents import DiffusionLatents
from genlab.models.diffusion.layout import Layout, layout_config
from genlab.models.diffusion.mlp import MLPDenoiser
from genlab.models.diffusion.process import GaussianDiffusion
from genlab.models.diffusion.reverse import ddim_sample, guided_eps, repaint
from genlab.models.diffusion.superres import IMAGE_CONDITIONS, BlockGrid, repair_blocks
from genlab.models.diffusion.trajectory import DiffusionTrajectory
from genlab.models.diffusion.unet import UNet
from genlab.models.neural import NeuralModel

ARCHITECTURES = ("auto", "mlp", "unet")
#: Draws averaged by ``impute(method="mean")``: the RMSE of a mean of M draws is
#: ``sqrt(v * (1 + 1/M))`` for posterior variance ``v``, 2.5% above the exact mean's at M = 20.
MEAN_DRAWS = 20


def diffusion_loss(
    module: nn.Module, batch: list[torch.Tensor], process: GaussianDiffusion, class_dropout: float
) -> torch.Tensor:
    """The mean epsilon-prediction loss of ``batch`` (rows, then class codes if any); a
    fraction ``class_dropout`` of the labels is dropped to the "no condition" code ``-1``."""
    x = batch[0]  # (B, D)
    t = torch.randint(0, process.T, (len(x),), device=x.device)
    codes = batch[1] if len(batch) > 1 else None  # (B,) class codes or (B, D) images
    if codes is not None and module.training and class_dropout > 0:
        drop = torch.rand(len(x), device=x.device) < class_dropout
        if codes.is_floating_point():  # an image condition: a row of NaN is "none"
            codes = torch.where(drop[:, None], torch.full_like(codes, torch.nan), codes)
        else:
            codes = torch.where(drop, torch.full_like(codes, -1), codes)
    return process.training_losses(module, x, t, codes=codes)["loss"].mean()


class Diffusion(DiffusionLatents, DiffusionTrajectory, NeuralModel):
    """Denoising diffusion model (class-conditional when fitted with labels; image-conditional,
    e.g. super-resolution, when fitted with ``condition=Condition.image(small_images)``).

    Training is DDPM's: the network predicts the noise ``eps`` added to a row at a random step
    of a cosine schedule (mean squared error). Sampling runs ``steps`` deterministic DDIM
    steps. The data live in a continuous space (:mod:`~genlab.models.diffusion.layout`):
    integer grids (pixel levels) are mapped onto ``[-1, 1]``, continuous columns standardized,
    and a categorical column with ``K`` categories is a one-hot vector in ``{-1, 1}^K``,
    decoded by its largest coordinate (argmax). On grids the schedule's first step adds noise
    of half a bin.

    Fitted with labels, the network also reads a learned class embedding whose extra "no
    condition" row replaces the label of a fraction ``class_dropout`` of the training rows;
    sampling then uses classifier-free guidance, ``eps = (1 + w) eps_c - w eps_u`` with
    ``w = guidance``.

    ``impute`` fills missing entries (image inpainting, conditional imputation on tables) by
    RePaint's resampling: at every reverse step the observed entries are a forward-noised copy
    of the observed data. ``method="mean"`` averages 20 such draws (categorical entries:
    the category of the largest averaged coordinate). A class-conditional model imputes with
    guidance given a ``condition``, and with its "no condition" branch without one.

    Fitted with image conditions (images whose sides divide the data's, e.g. the 4x4
    average-pooled versions of 8x8 digits), the network reads each condition upsampled to the
    data's size as extra input channels (SR3's design), dropped to "none" for a fraction
    ``class_dropout`` of the rows as labels are. With ``image_condition="pooled"`` the
    condition is taken to be the data average-pooled, and ``sample(n, condition=small)`` keeps
    it: every sample's block averages equal its condition, to the grid's rounding
    (:mod:`~genlab.models.diffusion.superres`).

    ``log_prob`` is the variational bound (a lower bound on the log-likelihood, in nats: of the
    probability on the grids of integer and categorical columns, of the density of continuous
    ones), of the conditional model without guidance whose ``x_0`` predictions are clipped as
    in sampling (to ``[-1, 1]`` on grids and categories); deterministic given ``random_state``.
    Its sum over steps is exact for ``timesteps - 1 <= bound_steps`` and otherwise a
    stratified, unbiased estimate. Rows with missing entries are refused.

    ``encode``/``decode`` run the deterministic DDIM path between data and noise (DDIM
    inversion), so ``interpolate`` walks between two examples through their noise.
    :meth:`~genlab.models.diffusion.trajectory.DiffusionTrajectory.trajectory` returns the states
    of ``sample``'s reverse pass, from the noise to the samples.

    Args:
        timesteps: diffusion steps ``T`` of training and of the bound.
        steps: DDIM steps of ``sample``, ``impute`` and ``encode``/``decode`` (more than
            ``timesteps`` count as ``timesteps``).
        guidance: classifier-free guidance scale ``w >= 0`` (class-conditional models).
        class_dropout: fraction of training labels dropped to "no condition".
        architecture: ``"unet"`` (images), ``"mlp"``, or ``"auto"`` (U-Net for images without
            categorical columns, MLP otherwise).
        width: channels of the U-Net at full resolution.
        hidden: width of the MLP denoiser's layers.
        depth: hidden layers of the MLP denoiser.
        emb_dim: width of the step/class embedding (even).
        bound_steps: steps of the bound's middle sum (all when ``timesteps - 1`` is not more;
            otherwise a stratified estimate).
        resample: RePaint's resampling per step in ``impute`` (1: none).
        eta: noise of ``sample``'s steps: 0 is deterministic DDIM (the default), 1 the
            ancestral (DDPM-like) step; ``encode``/``decode`` are always deterministic.
        image_condition: ``"pooled"`` (image conditions are the data average-pooled; samples
            keep them exactly) or ``"free"`` (any image of such a shape, read as context only).

    Training settings (``max_epochs``, ``lr``, ``random_state``, ...): see
    :class:`genlab.TrainConfig`; ``random_state`` also seeds ``log_prob``'s noise.
    """

    family = "diffusion"
    capabilities = frozenset({"sample", "likelihood_bound", "impute", "latent", "conditional"})
    condition_kinds = frozenset({"class", "image"})
    digest_skips_defaults: ClassVar[dict[str, Any]] = {"image_condition": "pooled", "eta": 0.0}

    train_defaults: ClassVar[dict[str, Any]] = {
        "max_epochs": 300,
        "patience": 50,
        "lr": 2e-3,
        "ema_decay": 0.995,
    }

    def __init__(
        self,
        *,
        timesteps: int = 1000,
        steps: int = 50,
        guidance: float = 1.0,
        class_dropout: float = 0.1,
        architecture: str = "auto",
        width: int = 32,
        hidden: int = 256,
        depth: int = 3,
        emb_dim: int = 64,
        bound_steps: int = 100,
        resample: int = 1,
        image_condition: str = "pooled",
        eta: float = 0.0,
    ) -> None:
        self.timesteps = timesteps
        self.steps = steps
        self.guidance = guidance
        self.class_dropout = class_dropout
        self.architecture = architecture
        self.width = width
        self.hidden = hidden
        self.depth = depth
        self.emb_dim = emb_dim
        self.bound_steps = bound_steps
        self.resample = resample
        self.image_condition = image_condition
        self.eta = eta

    # ============================================================== building
    def _check_params(self) -> None:
        positive = {
            "steps": self.steps,
            "width": self.width,
            "hidden": self.hidden,
            "depth": self.depth,
            "bound_steps": self.bound_steps,
            "resample": self.resample,
        }
        for name, value in {**positive, "timesteps": self.timesteps}.items():
            low = 2 if name == "timesteps" else 1
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
                raise InputError(f"{name} must be an integer >= {low}, got {value!r}")
        emb = self.emb_dim
        if not isinstance(emb, int | np.integer) or isinstance(emb, bool) or emb < 2 or emb % 2:
            raise InputError(f"emb_dim must be a positive even integer, got {emb!r}")
        g = self.guidance
        if not isinstance(g, int | float) or isinstance(g, bool) or not 0 <= g < np.inf:
            raise InputError(f"guidance must be a number >= 0, got {g!r}")
        e = self.eta
        if not isinstance(e, int | float) or isinstance(e, bool) or not 0 <= e <= 1:
            raise InputError(f"eta must be in [0, 1], got {e!r}")
        p = self.class_dropout
        if not isinstance(p, int | float) or isinstance(p, bool) or not 0 <= p < 1:
            raise InputError(f"class_dropout must be in [0, 1), got {p!r}")
        if self.image_condition not in IMAGE_CONDITIONS:
            raise InputError(
                f"image_condition must be one of {IMAGE_CONDITIONS}, got {self.image_condition!r}"
            )
        if self.architecture not in ARCHITECTURES:
            raise InputError(
                f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}"
            )

    def _network_kind(self) -> str:
        image = self.schema_.container == "image"
        plain = all(c.kind != "categorical" for c in self.schema_.columns)
        if self.architecture == "unet" and not (image and plain):
            raise InputError(
                "architecture='unet' needs images without categorical columns; use 'mlp'"
            )
        if self.architecture == "auto":
            return "unet" if image and plain else "mlp"
        return self.architecture

    def _module_config(self, A: np.ndarray) -> dict:
        layout = layout_config(self.schema_, A)
        shape = self.schema_.image_shape
        return {
            "network": self._network_kind(),
            "layout": layout,
            "timesteps": int(self.timesteps),
            "d": int(sum(c["n"] for c in layout)),
            "image_shape": None if shape is None else list(shape),
            "width": int(self.width),
            "hidden": int(self.hidden),
            "depth": int(self.depth),
            "emb_dim": int(self.emb_dim),
            "n_classes": 0 if self.classes_ is None else len(self.classes_),
            **({"image_condition": True} if self.condition_shape_ is not None else {}),
        }

    def _build_module(self, config: dict) -> nn.Module:
        return UNet(config) if config["network"] == "unet" else MLPDenoiser(config)

    @classmethod
    def _state_columns(cls, config: dict, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        layout = config["state"]["module_config"]["layout"]
        return {"columns": [c["n"] if c["kind"] == "categorical" else c["kind"] for c in layout]}

    def _layout(self) -> Layout:
        return Layout(self.module_config_["layout"])

    def _process(self) -> GaussianDiffusion:
        return GaussianDiffusion(self.module_config_["timesteps"], self._layout().min_noise)

    def _fit(self, A: np.ndarray, codes: np.ndarray | None) -> None:
        self._check_params()
        self.module_config_ = self._module_config(A)
        with torch.random.fork_rng():  # seeded weights, without touching the caller's RNG
            torch.manual_seed(0 if self.random_state is None else int(self.random_state))
            module = self._build_module(self.module_config_)
        tensors = [self._layout().to_net(A).float()]
        if codes is not None:
            tensors.append(self._codes(codes))
        loss = partial(
            diffusion_loss, process=self._process(), class_dropout=float(self.class_dropout)
        )
        self._train(module, loss, tensors)

    # ============================================================ the hooks
    def _codes(self, codes: np.ndarray | None) -> torch.Tensor | None:
        """Class codes ``(N,)`` as a long tensor; image conditions ``(N, h, w[, C])`` as the
        network reads them, upsampled into the diffusion space ``(N, D)``."""
        if codes is None:
            return None
        if codes.dtype.kind != "f":
            return torch.as_tensor(codes, dtype=torch.long)
        up = self._block_grid().upsample(codes.reshape(len(codes), -1))
        return self._layout().to_net(up).float()

    def _block_grid(self) -> BlockGrid:
        """The data's pixel blocks under the image conditions the model was fitted with."""
        shape = self.schema_.image_shape
        if shape is None:
            raise InputError("image conditions need image data (N, H, W[, C]) to condition")
        return BlockGrid(tuple(shape), self.condition_shape_)

    def _pooled(self, codes: np.ndarray | None) -> bool:
        """Whether samples must keep ``codes`` as their average-pooled image."""
        pooled = self.image_condition == "pooled" and codes is not None
        return pooled and codes.dtype.kind == "f"

    def _clip(self) -> tuple[torch.Tensor, torch.Tensor]:
        low, high = self._layout().clip_bounds()
        return low.float(), high.float()

    @torch.no_grad()
    def _sample(
        self,
        n: int,
        codes: np.ndarray | None,
        rng: np.random.Generator,
        trace: list[torch.Tensor] | None = None,
    ) -> np.ndarray:
        self._check_params()
        layout = self._layout()
        if n == 0:
            return np.zeros((0, len(layout.columns)))
        g = self._torch_rng(rng)
        eps_fn = guided_eps(self.module_, self._codes(codes), float(self.guidance))
        project = grid = None
        if self._pooled(codes):
            target, grid = codes.reshape(n, -1), self._block_grid()
            project = grid.projector(target, *layout.affine())
        shape, steps = (n, layout.dim), int(self.steps)
        x = ddim_sample(
            self._process(),
            eps_fn,
            shape,
            steps,
            g,
            self._clip(),
            project=project,
            eta=self.eta,
            trace=trace,
        )
        A = layout.from_net(x)
        if grid is not None and layout.all_integer:
            A = repair_blocks(grid, A, target, *layout.grid_bounds())
        return A

    @torch.no_grad()
    def _impute(
        self, A: np.ndarray, codes: np.ndarray | None, rng: np.random.Generator, method: str
    ) -> np.ndarray:
        self._check_params()
        layout, g = self._layout(), self._torch_rng(rng)
        eps_fn = guided_eps(self.module_, self._codes(codes), float(self.guidance))
        x_obs = layout.to_net(A).float()
        observed = layout.net_mask(~np.isnan(A))
        draws = [
            repaint(
                self._process(),
                eps_fn,
                x_obs,
                observed,
                int(self.steps),
                g,
                resample=int(self.resample),
                clip=self._clip(),
            )
            for _ in range(MEAN_DRAWS if method == "mean" else 1)
        ]
        return layout.from_net(torch.stack(draws).mean(0))

    @torch.no_grad()
    def _log_prob(self, A: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        self._check_params()
        if np.isnan(A).any():
            raise InputError(
                "Diffusion cannot score rows with missing entries (its bound needs every "
                "entry); impute them first or use a family that marginalizes"
            )
        eps_fn = guided_eps(self.module_, self._codes(codes), 0.0)
        seed = 0 if self.random_state is None else int(self.random_state)
        layout = self._layout()
        x0, clip = layout.to_net(A), layout.clip_bounds()
        nb = negative_bound(self._process(), eps_fn, layout, x0, int(self.bound_steps), seed, clip)
        return -nb.numpy()
