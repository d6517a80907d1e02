"""A test helper: every tensor in a file that ``torch.save`` wrote (checkpoints, weights)."""

from __future__ import annotations

from pathlib import Path

import torch


def saved_tensors(path: Path) -> dict[str, torch.Tensor]:
    """Every tensor in a saved (nested) state, keyed by its path in the containers."""
    flat: dict[str, torch.Tensor] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, torch.Tensor):
            flat[prefix] = value
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}/{key}", item)
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                walk(f"{prefix}/{i}", item)

    walk("", torch.load(path, weights_only=True))
    return flat
