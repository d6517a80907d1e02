"""PyTorch DDP under ``torchrun``: rank, world size, device, the module wrapper and the mean of
a number across ranks; a no-op for a single process."""

from __future__ import annotations

import atexit
import os
import sys
from dataclasses import dataclass
from datetime import timedelta

import torch
from torch import nn

from genlab.core.errors import InputError


@dataclass
class Distributed:
    """Rank, world size and device of this process; a no-op for a single process.

    ``from_env`` joins the process group that ``torchrun`` (``WORLD_SIZE > 1``) set up: gloo on
    the CPU, nccl on GPUs (one per ``LOCAL_RANK``).
    """

    rank: int
    world_size: int
    device: torch.device

    @classmethod
    def from_env(cls, device: str) -> Distributed:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise InputError("device='cuda' was asked for but no CUDA GPU is available")
        if world <= 1:
            return cls(0, 1, torch.device(device))
        import torch.distributed as td

        local = int(os.environ.get("LOCAL_RANK", "0"))
        if device.startswith("cuda"):
            torch.cuda.set_device(local)
            device = f"cuda:{local}"
        if not td.is_initialized():
            td.init_process_group("nccl" if device.startswith("cuda") else "gloo")
            # a group left to the interpreter's teardown can abort the process ("terminate called
            # without an active exception") when gloo's threads outlive it: close it ourselves
            atexit.register(_close_group)
            sys.excepthook = _note_crash
        return cls(td.get_rank(), td.get_world_size(), torch.device(device))

    def wrap(self, module: nn.Module, find_unused_parameters: bool = False) -> nn.Module:
        """``module`` in a ``DistributedDataParallel`` wrapper (itself for one process)."""
        if self.world_size == 1:
            return module
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(
            module, device_ids=ids, find_unused_parameters=find_unused_parameters
        )

    def mean(self, value: float) -> float:
        """``value`` averaged over the ranks."""
        if self.world_size == 1:
            return value
        import torch.distributed as td

        t = torch.tensor([value], dtype=torch.float64, device=self.device)
        td.all_reduce(t)
        return float(t.item() / self.world_size)

    def any_rank(self, flag: bool) -> bool:
        """True on every rank when ``flag`` is true on at least one."""
        if self.world_size == 1:
            return flag
        import torch.distributed as td

        t = torch.tensor([float(flag)], device=self.device)
        td.all_reduce(t, op=td.ReduceOp.MAX)
        return bool(t.item() > 0)


_crashed = {"flag": False}


def _note_crash(kind, value, tb) -> None:  # sys.excepthook's signature
    _crashed["flag"] = True
    sys.__excepthook__(kind, value, tb)


def _close_group() -> None:
    """At exit: wait for every rank, then close the group (a crashed rank only closes: the others
    may be blocked in a collective, and torchrun stops them once this one has exited)."""
    import torch.distributed as td

    if not td.is_initialized():
        return
    if not _crashed["flag"]:
        try:
            if td.get_backend() == "gloo":
                td.monitored_barrier(timeout=timedelta(seconds=120))
            else:
                td.barrier()
        except RuntimeError:  # a rank died before its end: close all the same
            pass
    td.destroy_process_group()


def is_main_process() -> bool:
    """True on rank 0 of a torchrun launch, and always for a single process (who may write)."""
    return int(os.environ.get("RANK", "0")) == 0
