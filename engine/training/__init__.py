"""Training: the offline build that fits every model and writes a model version."""

from engine.training._build import DEFAULT_MODELS, TrainResult, check_model_names, train
from engine.training._versions import (
    PruneResult,
    VersionInfo,
    list_versions,
    prune_versions,
)

__all__ = [
    "DEFAULT_MODELS",
    "PruneResult",
    "TrainResult",
    "VersionInfo",
    "check_model_names",
    "list_versions",
    "prune_versions",
    "train",
]
