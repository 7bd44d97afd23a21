"""Training: the offline build that fits every model and writes a model version."""

from engine.training._build import DEFAULT_MODELS, TrainResult, check_model_names, train

__all__ = ["DEFAULT_MODELS", "TrainResult", "check_model_names", "train"]
