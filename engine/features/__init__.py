"""Features: indexed interaction data and metadata encoders shared by all models."""

from engine.features._data import InteractionData, check_identifier
from engine.features._encoding import ColumnEncoding, FeatureEncoder

__all__ = ["ColumnEncoding", "FeatureEncoder", "InteractionData", "check_identifier"]
