"""The training loss of a (hierarchical) VAE, in nats per row.

With one training sample it is the negative ELBO, ``distortion + beta * rate`` (the rates
summed over the latent layers; ``beta = 1`` is the bound itself, other values weight the
rates as a beta-VAE does); with more it is the negative IWAE bound. The loss goes through the
module's ``forward``, so that a distributed (DDP) wrapper sees every call.

A fraction ``hide`` of the training rows shows the encoder a random subset of its entries
(each row its own rate ~ U(0, 1)), as the partial VAE of EDDI does, so that ``q(z | x_o)`` is
trained for the missing patterns imputation will meet; the likelihood still scores every
observed entry.

References:
    Higgins, I. et al. (2017). beta-VAE: learning basic visual concepts with a constrained
        variational framework. ICLR.
    Burda, Y., Grosse, R. & Salakhutdinov, R. (2016). Importance weighted autoencoders. ICLR.
    Ma, C. et al. (2019). EDDI: efficient dynamic discovery of high-value information with
        partial VAE. ICML.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def negative_bound(
    module: nn.Module, batch: list[torch.Tensor], n_samples: int, hide: float, beta: float = 1.0
) -> torch.Tensor:
    """The mean training loss of ``batch`` (rows, then class codes if any): the negative ELBO
    with rates weighted by ``beta`` for ``n_samples = 1``, else the negative IWAE bound."""
    seen = batch[0]
    if module.training and hide > 0:
        x = batch[0]  # (B, D)
        rows = torch.rand(len(x), 1, device=x.device) < hide
        drop = rows & (
            torch.rand(x.shape, device=x.device) < torch.rand(len(x), 1, device=x.device)
        )
        seen = x.masked_fill(drop, float("nan"))
    out = module(*batch, n_samples=n_samples, seen=seen)
    if n_samples == 1:
        return (out["distortion"] + beta * out["rate"].sum(0)).mean()
    return -(torch.logsumexp(out["log_weight"], dim=0) - math.log(n_samples)).mean()
