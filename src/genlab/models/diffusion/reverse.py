"""The reverse process in use: guided noise predictions, DDIM sampling, RePaint inpainting.

* :func:`guided_eps` — classifier-free guidance: ``eps = (1 + w) eps_c - w eps_u``, the
  conditional and unconditional ("no condition" code ``-1``) predictions in one batch.
* :func:`ddim_sample` — ``steps`` DDIM steps from pure noise (deterministic given the start);
  :func:`ddim_invert` runs them backwards, data to noise (DDIM inversion).
* :func:`repaint` — inpainting by the resampling of Lugmayr et al. (RePaint), written from the
  paper: at every reverse step the observed dimensions are replaced by a forward-noised copy
  of the observed data, the missing ones by the model's step; ``resample > 1`` goes back one
  step (forward noise) and redoes it, so that the two parts harmonize.

References:
    Ho, J. & Salimans, T. (2021). Classifier-free diffusion guidance. NeurIPS workshop.
    Lugmayr, A. et al. (2022). RePaint: inpainting using denoising diffusion probabilistic
        models. CVPR.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from genlab.models.diffusion.process import GaussianDiffusion

#: ``eps_fn(x_t, t) -> eps``, all ``(B, D)`` with ``t`` ``(B,)``.
EpsFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def guided_eps(net: nn.Module, codes: torch.Tensor | None, guidance: float) -> EpsFn:
    """The noise prediction of ``net`` for class codes ``codes`` ``(B,)`` or image conditions
    ``(B, D)`` (None: unconditional) with guidance scale ``guidance`` (0: the plain
    conditional prediction)."""

    def eps(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        if codes is None or guidance == 0:
            return net(x, t, codes)
        null = torch.full_like(codes, torch.nan if codes.is_floating_point() else -1)
        both = net(torch.cat([x, x]), torch.cat([t, t]), torch.cat([codes, null]))  # (2B, D)
        eps_c, eps_u = both.chunk(2)
        return (1 + guidance) * eps_c - guidance * eps_u

    return eps


def _pairs(process: GaussianDiffusion, steps: int, top: int | None = None) -> list[tuple[int, int]]:
    """``(t, t_prev)`` of the reverse pass from step ``top`` (default ``T - 1``), last step
    first; ``t_prev = -1`` ends at data."""
    seq = process.ddim_timesteps(steps, top).tolist()
    return [(seq[i], seq[i - 1] if i else -1) for i in reversed(range(len(seq)))]


def ddim_sample(
    process: GaussianDiffusion,
    eps_fn: EpsFn,
    shape: tuple[int, int],
    steps: int,
    g: torch.Generator | None,
    clip: tuple[torch.Tensor, torch.Tensor] | None = None,
    start: torch.Tensor | None = None,
    top: int | None = None,
    project: Callable[[torch.Tensor], torch.Tensor] | None = None,
    eta: float = 0.0,
    trace: list[torch.Tensor] | None = None,
) -> torch.Tensor:
    """Rows ``shape = (n, D)`` by ``steps`` DDIM steps from noise drawn with ``g`` (or from
    ``start`` at step ``top``, e.g. the output of :func:`ddim_invert`): deterministic for
    ``eta = 0``, ancestral (fresh noise each step) for ``eta = 1``; ``project`` keeps every
    predicted ``x_0`` consistent with a condition. A ``trace`` list receives the start and
    the state after every step (``steps + 1`` tensors, the last one returned)."""
    x = torch.randn(shape, generator=g) if start is None else start
    n = shape[0]
    for t, t_prev in _pairs(process, steps, top):
        if trace is not None:
            trace.append(x)
        tt, tp = torch.full((n,), t), torch.full((n,), t_prev)
        noise = torch.randn(shape, generator=g) if eta > 0 else None
        eps = eps_fn(x, tt)
        x = process.ddim_step(x, eps, tt, tp, eta=eta, noise=noise, clip=clip, project=project)
    if trace is not None:
        trace.append(x)
    return x


def ddim_invert(
    process: GaussianDiffusion, eps_fn: EpsFn, x0: torch.Tensor, steps: int, top: int
) -> torch.Tensor:
    """The DDIM path run forward: data ``x0`` ``(n, D)`` -> its noisy point at step ``top``,
    the start from which :func:`ddim_sample`'s steps come back to about ``x0``.

    Each step reuses the noise predicted at the point it leaves (at the data, that of the
    first step), the usual discretization of the deterministic ODE's inversion.
    """
    n, x = len(x0), x0
    for t, t_prev in reversed(_pairs(process, steps, top)):  # t_prev < t: towards noise
        tt, tp = torch.full((n,), t), torch.full((n,), t_prev)
        eps = eps_fn(x, tt if t_prev < 0 else tp)
        x = process.ddim_step(x, eps, tp, tt)  # the same formula, towards more noise
    return x


def repaint(
    process: GaussianDiffusion,
    eps_fn: EpsFn,
    x_obs: torch.Tensor,
    observed: torch.Tensor,
    steps: int,
    g: torch.Generator,
    *,
    resample: int = 1,
    clip: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> torch.Tensor:
    """Rows ``(n, D)`` that keep ``x_obs`` where ``observed`` and draw the rest given it.

    The model's steps are ancestral (``eta = 1``), so that each call is a fresh draw.
    """
    n = len(x_obs)
    x_obs = torch.where(observed, x_obs, torch.zeros(()))  # (n, D), no NaN
    x = torch.randn(x_obs.shape, generator=g)
    for t, t_prev in _pairs(process, steps):
        tt, tp = torch.full((n,), t), torch.full((n,), t_prev)
        for r in range(resample):
            known = x_obs
            if t_prev >= 0:
                known = process.q_sample(x_obs, tp, torch.randn(x.shape, generator=g))
            noise = torch.randn(x.shape, generator=g)
            unknown = process.ddim_step(x, eps_fn(x, tt), tt, tp, eta=1.0, noise=noise, clip=clip)
            x_prev = torch.where(observed, known, unknown)
            if r + 1 < resample and t_prev >= 0:  # jump back to t and redo the step
                x = process.renoise(x_prev, tp, tt, torch.randn(x.shape, generator=g))
        x = x_prev
    return x
