"""Serving: the online path from a request to k items."""

from engine.serving._recommender import Recommender
from engine.serving._results import Recommendation, RecommendationList

__all__ = ["Recommendation", "RecommendationList", "Recommender"]
