"""The training loop shared by every neural family (:func:`fit_module`) and its parts: step
hooks, batch sources, callbacks, the EMA and DDP plumbing."""

from genlab.train.callbacks import CHECKPOINT_FILE, Callback, Checkpoint, LossLog, ProgressBar
from genlab.train.config import LossFn, TrainConfig, TrainResult
from genlab.train.data import Batch, BatchSource, StreamSource, TensorSource
from genlab.train.distributed import Distributed, is_main_process
from genlab.train.ema import Ema
from genlab.train.loop import fit_module
from genlab.train.run import Run
from genlab.train.steps import LossStep, NonFiniteLoss, Step, StepContext, check_finite

__all__ = [
    "CHECKPOINT_FILE",
    "Batch",
    "BatchSource",
    "Callback",
    "Checkpoint",
    "Distributed",
    "Ema",
    "LossFn",
    "LossLog",
    "LossStep",
    "NonFiniteLoss",
    "ProgressBar",
    "Run",
    "Step",
    "StepContext",
    "StreamSource",
    "TensorSource",
    "TrainConfig",
    "TrainResult",
    "check_finite",
    "fit_module",
    "is_main_process",
]
