"""Tests of saving and loading scorer state."""

import json

import numpy as np
import pytest

from engine.features import InteractionData
from engine.models._item_knn import ItemKNNScorer
from engine.models._popular import PopularityScorer
from engine.models._state import STATE_FILE, history_csr


def small_data() -> InteractionData:
    return InteractionData.from_arrays(
        user_ids=[1, 2],
        item_ids=[10, 20],
        interaction_users=[1, 2, 2],
        interaction_items=[10, 10, 20],
        timestamps=[0, 1, 2],
    )


def test_load_other_scorer_rejected(tmp_path):
    PopularityScorer().fit(small_data()).save(tmp_path)

    with pytest.raises(ValueError, match="contains 'popular', expected 'item_knn'"):
        ItemKNNScorer.load(tmp_path)


def test_load_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="saved scorer not found"):
        PopularityScorer.load(tmp_path / "missing")


def test_load_unknown_format_rejected(tmp_path):
    PopularityScorer().fit(small_data()).save(tmp_path)
    state = json.loads((tmp_path / STATE_FILE).read_text())
    state["format_version"] = 99
    (tmp_path / STATE_FILE).write_text(json.dumps(state))

    with pytest.raises(ValueError, match="invalid saved scorer format: 99"):
        PopularityScorer.load(tmp_path)


def test_saved_params_are_readable(tmp_path):
    ItemKNNScorer(neighbour_count=7, shrinkage=1.5).fit(small_data()).save(tmp_path)

    state = json.loads((tmp_path / STATE_FILE).read_text())

    assert state["name"] == "item_knn"
    assert state["params"] == {
        "neighbour_count": 7,
        "shrinkage": 1.5,
        "similarity": "jaccard",
        "alpha": 0.5,
        "weighting": "bm25",
        "recency_half_life": 7.0,
    }


def test_history_csr_rows():
    matrix = np.array([[0, 1, 1], [0, 0, 0], [1, 0, 0]], dtype=np.float32)

    offsets, items = history_csr(matrix)

    np.testing.assert_array_equal(offsets, [0, 2, 2, 3])
    np.testing.assert_array_equal(items, [1, 2, 0])
