"""Recommenders: popularity, neighbourhood CF, metadata, a hybrid, the two towers."""

from engine.models._base import Progress, Scorer
from engine.models._checks import check_params, check_scorers
from engine.models._hybrid import HybridScorer
from engine.models._item_knn import ItemKNNScorer
from engine.models._metadata import MetadataScorer
from engine.models._popular import PopularityScorer
from engine.models._sequence_knn import SequenceKNNScorer
from engine.models._two_tower import TwoTowerScorer
from engine.models._user_knn import UserKNNScorer

__all__ = [
    "MODELS",
    "HybridScorer",
    "ItemKNNScorer",
    "MetadataScorer",
    "PopularityScorer",
    "Progress",
    "Scorer",
    "SequenceKNNScorer",
    "TwoTowerScorer",
    "UserKNNScorer",
    "get_model",
]

#: Registry name to scorer class, as ``sqlrec train --model`` and evaluation name them.
MODELS: dict[str, type[Scorer]] = {
    "popular": PopularityScorer,
    "item_knn": ItemKNNScorer,
    "user_knn": UserKNNScorer,
    "sequence_knn": SequenceKNNScorer,
    "metadata": MetadataScorer,
    "hybrid": HybridScorer,
    "two_tower": TwoTowerScorer,
}


def get_model(name: str, **params) -> Scorer:
    """Create the scorer registered as ``name`` with ``params`` and check them.

    Raises ValueError (TypeError for a value of the wrong kind) for an unknown
    name, an unknown parameter or a bad value, with the model's name.
    """
    if name not in MODELS:
        known = ", ".join(sorted(MODELS)) or "none"
        raise ValueError(f"unknown model: {name!r}, expected one of {known}")
    scorer = MODELS[name](**check_params(name, MODELS[name], params))
    check_scorers([(name, scorer)])
    return scorer
