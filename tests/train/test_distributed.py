"""DDP plumbing for one process (the two-process runs are in test_trainer.py)."""

from __future__ import annotations

import pytest
import torch

import genlab
from genlab.train import Distributed, is_main_process


def test_a_single_process_is_a_no_op(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    dist = Distributed.from_env("cpu")
    lin = torch.nn.Linear(1, 1)
    assert (dist.rank, dist.world_size) == (0, 1) and dist.wrap(lin) is lin
    assert dist.mean(2.5) == 2.5 and dist.any_rank(True) and not dist.any_rank(False)


def test_main_process_is_rank_zero(monkeypatch):
    monkeypatch.setenv("RANK", "1")
    assert not is_main_process()
    monkeypatch.setenv("RANK", "0")
    assert is_main_process()


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(genlab.InputError, match="no CUDA GPU"):
        Distributed.from_env("cuda")
