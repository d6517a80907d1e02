"""Test-wide settings: one torch thread, so many small models train fast on a busy 2-core CI."""

import torch

torch.set_num_threads(1)
