"""Recommenders: popularity, neighbourhood CF, metadata, a hybrid, the two towers."""

from engine.models._base import Progress, Scorer
from engine.models._checks import check_params, check_scorers
from engine.models._describe import (
    ModelDescription,
    ParameterDescription,
    describe_scorer,
)
from engine.models._hybrid import HybridScorer
from engine.models._item_knn import ItemKNNScorer
from engine.models._metadata import MetadataScorer
from engine.models._popular import PopularityScorer
from engine.models._sequence_knn import SequenceKNNScorer
from engine.models._sequence_linear import SequenceLinearScorer
from engine.models._two_tower import TwoTowerScorer
from engine.models._user_knn import UserKNNScorer

__all__ = [
    "MODELS",
    "HybridScorer",
    "ItemKNNScorer",
    "MetadataScorer",
    "ModelDescription",
    "ParameterDescription",
    "PopularityScorer",
    "Progress",
    "Scorer",
    "SequenceKNNScorer",
    "SequenceLinearScorer",
    "TwoTowerScorer",
    "UserKNNScorer",
    "describe_model",
    "get_model",
]

#: Registry name to scorer class, as ``sqlrec train --model`` and evaluation name them.
MODELS: dict[str, type[Scorer]] = {
    "popular": PopularityScorer,
    "item_knn": ItemKNNScorer,
    "user_knn": UserKNNScorer,
    "sequence_knn": SequenceKNNScorer,
    "sequence_linear": SequenceLinearScorer,
    "metadata": MetadataScorer,
    "hybrid": HybridScorer,
    "two_tower": TwoTowerScorer,
}


def _check_name(name: str) -> None:
    if name not in MODELS:
        known = ", ".join(sorted(MODELS)) or "none"
        raise ValueError(f"unknown model: {name!r}, expected one of {known}")


def describe_model(name: str) -> ModelDescription:
    """Describe the model registered as ``name``: its summary and its parameters.

    Each parameter comes with its default, its type and the first sentence of
    its documentation. Raises ValueError for an unknown name.
    """
    _check_name(name)
    return describe_scorer(name, MODELS[name])


def get_model(name: str, **params) -> Scorer:
    """Create the scorer registered as ``name`` with ``params`` and check them.

    Raises ValueError, with the model's name, for an unknown name, an unknown
    parameter or a bad value, and TypeError when a hybrid part's parameters
    are not a dict.
    """
    _check_name(name)
    scorer = MODELS[name](**check_params(name, MODELS[name], params))
    check_scorers([(name, scorer)])
    return scorer
