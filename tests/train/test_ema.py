"""The moving average of the weights."""

from __future__ import annotations

import torch

from genlab.train import Ema


def test_ema_warms_up_and_swaps_weights_in_temporarily():
    lin = torch.nn.Linear(1, 1)
    with torch.no_grad():
        lin.bias.fill_(0.0)
    ema = Ema(lin, 0.99)
    with torch.no_grad():
        lin.bias.fill_(1.0)
    ema.update(lin)  # warm-up decay min(0.99, 2/11): the average moves 9/11 of the way
    assert abs(ema.shadow["bias"].item() - 9 / 11) < 1e-6
    with ema.applied(lin):
        assert abs(lin.bias.item() - 9 / 11) < 1e-6
    assert lin.bias.item() == 1.0


def test_no_decay_means_no_average():
    lin = torch.nn.Linear(1, 1)
    ema = Ema(lin, None)
    ema.update(lin)
    assert ema.shadow is None and ema.updates == 0
    before = lin.weight.detach().clone()
    with ema.applied(lin):
        assert torch.equal(lin.weight, before)
