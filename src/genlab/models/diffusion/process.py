"""The Gaussian noising process of a diffusion model, separate from the network that denoises.

:class:`GaussianDiffusion` holds the noise schedule (the cosine schedule of Nichol &
Dhariwal) and everything that only needs the schedule: the forward draw ``q_sample``, the
training loss (``training_losses``: epsilon prediction, the "simple" loss of Ho et al.), the
DDIM reverse step (``ddim_step``, deterministic for ``eta = 0``, ancestral for ``eta = 1``)
and the terms of the variational bound (``posterior``, ``prior_kl``, ``bound_term``). A
network only enters as a callable ``model(x_t, t, **kwargs) -> eps``.

Step indices run ``0 .. T-1`` as in improved-diffusion: ``alpha_bar[t]`` is the fraction of
signal variance left after step ``t``; the index ``-1`` stands for clean data (``alpha_bar = 1``).

The schedule may start late (``min_noise``): on a grid of levels, noise far below the grid's
spacing carries no information, so the first step adds noise of about half a bin, as the
cosine schedule's offset was chosen for 8-bit pixels.

References:
    Ho, J., Jain, A. & Abbeel, P. (2020). Denoising diffusion probabilistic models. NeurIPS.
    Nichol, A. & Dhariwal, P. (2021). Improved denoising diffusion probabilistic models. ICML.
    Song, J., Meng, C. & Ermon, S. (2021). Denoising diffusion implicit models. ICLR.

Example:
    >>> import torch
    >>> d = GaussianDiffusion(100)
    >>> x0, eps = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)
    >>> t = torch.tensor([0, 10, 50, 99])
    >>> xt = d.q_sample(x0, t, eps)
    >>> torch.allclose(d.ddim_step(xt, eps, t, torch.full((4,), -1)), x0)
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

#: The cosine schedule's offset ``s`` (Nichol & Dhariwal).
COSINE_OFFSET = 0.008
#: Largest ``beta`` (the last steps of the cosine schedule would otherwise be 1).
MAX_BETA = 0.999


def cosine_alpha_bar(T: int, min_noise: float | None = None) -> np.ndarray:
    """``alpha_bar`` ``(T,)`` of the cosine schedule, float64, decreasing in ``(0, 1)``.

    Args:
        T: number of diffusion steps.
        min_noise: noise standard deviation of the first step (the schedule starts at the
            point of the cosine curve with that noise), when it is larger than the plain
            schedule's first step.

    Example:
        >>> a = cosine_alpha_bar(50)
        >>> bool(np.all(np.diff(a) < 0) and 0 < a[-1] and a[0] < 1)
        True
    """

    def f(u: np.ndarray | float) -> np.ndarray:
        return np.cos((np.asarray(u) + COSINE_OFFSET) / (1 + COSINE_OFFSET) * math.pi / 2) ** 2

    u0 = 1.0 / T
    if min_noise is not None and 1 - f(u0) / f(0) < min_noise**2:
        target = math.sqrt(1 - min_noise**2) * math.cos(
            COSINE_OFFSET / (1 + COSINE_OFFSET) * math.pi / 2
        )
        u0 = (2 / math.pi) * (1 + COSINE_OFFSET) * math.acos(target) - COSINE_OFFSET
    u = u0 + np.arange(T) * (1 - u0) / max(T - 1, 1)  # (T,) from u0 to 1
    a = f(u) / f(0)
    prev = np.concatenate([[1.0], a[:-1]])
    betas = np.minimum(1 - a / prev, MAX_BETA)
    return np.cumprod(1 - betas)


class GaussianDiffusion:
    """The forward process ``q(x_t | x_0) = N(sqrt(ab_t) x_0, (1 - ab_t) I)`` and its reverse.

    Args:
        T: number of diffusion steps.
        min_noise: see :func:`cosine_alpha_bar`.
    """

    def __init__(self, T: int, min_noise: float | None = None) -> None:
        self.T = int(T)
        ab = cosine_alpha_bar(self.T, min_noise)
        ab_prev = np.concatenate([[1.0], ab[:-1]])
        betas = 1 - ab / ab_prev
        # posterior q(x_{t-1} | x_t, x_0): variance and the two mean coefficients, (T,) each
        var = betas * (1 - ab_prev) / (1 - ab)
        self.alpha_bar = torch.as_tensor(ab)
        self.betas = torch.as_tensor(betas)
        self.posterior_var = torch.as_tensor(var)
        # at t = 0 the posterior variance is 0; the decoder uses that of t = 1 (as DDPM does)
        self.decoder_var = float(var[1]) if self.T > 1 else float(betas[0])
        self.coef_x0 = torch.as_tensor(betas * np.sqrt(ab_prev) / (1 - ab))
        self.coef_xt = torch.as_tensor((1 - ab_prev) * np.sqrt(1 - betas) / (1 - ab))

    # ------------------------------------------------------------------ helpers
    def _ab(self, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        """``alpha_bar`` at steps ``t`` ``(B,)`` (1 at ``t = -1``), shaped to broadcast."""
        table = self.alpha_bar.to(t.device)
        ab = torch.where(t >= 0, table[t.clamp(min=0)], torch.ones((), dtype=table.dtype))
        return ab.to(like.dtype).reshape(-1, *([1] * (like.dim() - 1)))

    def _at(self, table: torch.Tensor, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        return table.to(t.device)[t].to(like.dtype).reshape(-1, *([1] * (like.dim() - 1)))

    # ------------------------------------------------------------------ forward
    def q_sample(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """A draw of ``x_t`` given ``x_0`` ``(B, D)``, steps ``t`` ``(B,)`` and noise ``(B, D)``."""
        ab = self._ab(t, x0)
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise

    def renoise(
        self, x: torch.Tensor, t_from: torch.Tensor, t_to: torch.Tensor, noise: torch.Tensor
    ) -> torch.Tensor:
        """A draw of ``x_{t_to}`` given ``x_{t_from}`` (``t_to > t_from``): the forward process
        between two steps, ``q(x_{t_to} | x_{t_from})``."""
        ratio = self._ab(t_to, x) / self._ab(t_from, x)
        return ratio.sqrt() * x + (1 - ratio).sqrt() * noise

    def training_losses(
        self,
        model: Any,
        x0: torch.Tensor,
        t: torch.Tensor,
        noise: torch.Tensor | None = None,
        **model_kwargs: Any,
    ) -> dict[str, torch.Tensor]:
        """``{"loss": (B,), "eps": (B, D)}``: the mean squared error of the predicted noise."""
        noise = torch.randn_like(x0) if noise is None else noise
        eps = model(self.q_sample(x0, t, noise), t, **model_kwargs)
        return {"loss": ((eps - noise) ** 2).flatten(1).mean(1), "eps": eps}

    # ------------------------------------------------------------------ reverse
    def predict_x0(
        self,
        x_t: torch.Tensor,
        eps: torch.Tensor,
        t: torch.Tensor,
        clip: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """``x_0`` implied by the noise ``eps`` at step ``t``, within ``clip`` (``(D,)`` low and
        high bounds) when given."""
        ab = self._ab(t, x_t)
        x0 = (x_t - (1 - ab).sqrt() * eps) / ab.sqrt()
        if clip is None:
            return x0
        return torch.maximum(torch.minimum(x0, clip[1].to(x0)), clip[0].to(x0))

    def ddim_step(
        self,
        x_t: torch.Tensor,
        eps: torch.Tensor,
        t: torch.Tensor,
        t_prev: torch.Tensor,
        *,
        eta: float = 0.0,
        noise: torch.Tensor | None = None,
        clip: tuple[torch.Tensor, torch.Tensor] | None = None,
        project: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """One DDIM step from ``t`` to ``t_prev < t`` (``-1``: clean data).

        Args:
            x_t, eps: the current point and its predicted noise, ``(B, D)``.
            t, t_prev: steps ``(B,)``.
            eta: 0 is the deterministic DDIM step, 1 the ancestral (DDPM-like) step.
            noise: standard normal ``(B, D)``, needed when ``eta > 0``.
            clip: optional ``(low, high)`` bounds ``(D,)`` on the predicted ``x_0`` (the noise
                is then recomputed from the clipped ``x_0``).
            project: optional map of the predicted ``x_0`` onto the images consistent with a
                condition, applied after clipping; the noise is kept (as DDNM does: derived
                from the projected ``x_0`` it would carry the correction, amplified by
                ``sqrt(alpha_bar / (1 - alpha_bar))``, back into the next point).
        """
        ab, ab_prev = self._ab(t, x_t), self._ab(t_prev, x_t)
        x0 = self.predict_x0(x_t, eps, t, clip)
        if clip is not None:
            eps = (x_t - ab.sqrt() * x0) / (1 - ab).sqrt()
        if project is not None:
            x0 = project(x0)
        if eta == 0:  # deterministic; also the inversion's step, from t = -1 (ab = 1) up
            return ab_prev.sqrt() * x0 + (1 - ab_prev).sqrt() * eps
        sigma = eta * ((1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev)).clamp(min=0).sqrt()
        out = ab_prev.sqrt() * x0 + (1 - ab_prev - sigma**2).clamp(min=0).sqrt() * eps
        return out + sigma * noise

    def ddim_timesteps(self, steps: int, top: int | None = None) -> torch.Tensor:
        """``steps`` increasing step indices spread over ``0 .. top`` (ends included;
        ``top`` defaults to ``T - 1``).

        Example:
            >>> GaussianDiffusion(10).ddim_timesteps(4).tolist()
            [0, 3, 6, 9]
        """
        top = self.T - 1 if top is None else int(top)
        steps = min(int(steps), top + 1)
        return torch.as_tensor(np.round(np.linspace(0, top, steps)).astype(np.int64))

    def last_step_above(self, alpha_bar: float) -> int:
        """The largest step whose ``alpha_bar`` is at least ``alpha_bar`` (0 if none).

        Example:
            >>> d = GaussianDiffusion(100)
            >>> top = d.last_step_above(1e-3)
            >>> d.last_step_above(0.0), bool(d.alpha_bar[top] >= 1e-3 > d.alpha_bar[top + 1])
            (99, True)
        """
        return int(max((self.alpha_bar >= alpha_bar).sum().item() - 1, 0))

    # ------------------------------------------------------------ the bound
    def posterior(
        self, x0: torch.Tensor, x_t: torch.Tensor, t: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean ``(B, D)`` and variance ``(B, 1)`` of ``q(x_{t-1} | x_t, x_0)``."""
        mean = self._at(self.coef_x0, t, x0) * x0 + self._at(self.coef_xt, t, x0) * x_t
        return mean, self._at(self.posterior_var, t, x0)

    def prior_kl(self, x0: torch.Tensor) -> torch.Tensor:
        """``KL(q(x_{T-1} | x_0) || N(0, I))`` per dimension, ``(B, D)`` nats."""
        ab = self.alpha_bar[-1].to(x0.device, x0.dtype)
        var = 1 - ab
        return 0.5 * (ab * x0**2 + var - 1 - torch.log(var))

    def bound_term(
        self,
        x0: torch.Tensor,
        x_t: torch.Tensor,
        eps: torch.Tensor,
        t: torch.Tensor,
        clip: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """``KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t))`` per dimension ``(B, D)`` for
        ``t >= 1``; ``p`` has the posterior's variance and the mean of the ``x_0`` given by
        ``eps`` (within ``clip``, as sampling has it: near the end of the schedule almost no
        signal is left, and an unclipped ``x_0`` multiplies the noise's error by
        ``1 / sqrt(alpha_bar)``)."""
        mean_q, var = self.posterior(x0, x_t, t)
        mean_p, _ = self.posterior(self.predict_x0(x_t, eps, t, clip), x_t, t)
        return (mean_q - mean_p) ** 2 / (2 * var)
