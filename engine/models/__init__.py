"""Recommenders: popularity, neighbourhood CF, metadata profiles and the two towers."""

from engine.models._base import Progress, Scorer

__all__ = ["Progress", "Scorer", "MODELS", "get_model"]

# Filled as the model modules land; maps registry name to scorer class.
MODELS: dict[str, type[Scorer]] = {}


def get_model(name: str, **params) -> Scorer:
    """Create the scorer registered as ``name`` with ``params``."""
    if name not in MODELS:
        known = ", ".join(sorted(MODELS)) or "none"
        raise ValueError(f"unknown model: {name!r}, expected one of {known}")
    return MODELS[name](**params)
