"""A small fitted two-tower scorer shared by the export tests."""

import pytest
from tower_data import TINY, small_data

from engine.features import InteractionData
from engine.models._two_tower import TwoTowerScorer


@pytest.fixture
def data(seed) -> InteractionData:
    return small_data(seed)


@pytest.fixture
def scorer(data, seed) -> TwoTowerScorer:
    return TwoTowerScorer(**TINY).fit(data, seed=seed)
