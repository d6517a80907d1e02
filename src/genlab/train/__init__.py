"""The training loop shared by every neural family."""

from genlab.train.trainer import TrainConfig, TrainResult, fit_module, is_main_process

__all__ = ["TrainConfig", "TrainResult", "fit_module", "is_main_process"]
