"""Tests of the ONNX export of the two towers against torch."""

import numpy as np
import pytest
from tower_data import TINY, small_data

from engine.errors import NotBuiltError
from engine.export import (
    ITEM_TOWER_FILE,
    QUERY_TOWER_FILE,
    OnnxTower,
    TowerInputs,
    export_towers,
)
from engine.features import InteractionData
from engine.models._two_tower import TwoTowerScorer

TOLERANCE = 1e-4


def test_export_reports_small_differences(scorer, tmp_path):
    differences = export_towers(scorer, tmp_path)

    assert set(differences) == {"query_tower", "item_tower"}
    assert 0 <= differences["query_tower"] <= TOLERANCE
    assert 0 <= differences["item_tower"] <= TOLERANCE


@pytest.mark.parametrize("batch_size", [1, 3, 30, 500])
def test_export_query_tower_matches_torch(scorer, tmp_path, batch_size):
    export_towers(scorer, tmp_path)
    tower = OnnxTower(tmp_path / QUERY_TOWER_FILE)
    users = np.arange(batch_size) % len(scorer.inputs_.user_ids)
    inputs = scorer.inputs_.query_inputs_at(users, users % 24, users % 7 + 1)

    actual = tower.run(inputs)
    expected = scorer.query_vectors(inputs)

    assert actual.shape == (batch_size, TINY["embedding_size"])
    assert actual.dtype == np.float32
    np.testing.assert_allclose(actual, expected, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("batch_size", [1, 20, 500])
def test_export_item_tower_matches_torch(scorer, tmp_path, batch_size):
    export_towers(scorer, tmp_path)
    tower = OnnxTower(tmp_path / ITEM_TOWER_FILE)
    item_ids = scorer.inputs_.item_ids[
        np.arange(batch_size) % len(scorer.inputs_.item_ids)
    ]
    inputs = scorer.inputs_.item_inputs(item_ids)

    actual = tower.run(inputs)
    expected = scorer.item_vectors(inputs)

    assert actual.shape == (batch_size, TINY["embedding_size"])
    np.testing.assert_allclose(actual, expected, rtol=0, atol=TOLERANCE)


def test_export_scores_match_scorer(scorer, tmp_path):
    export_towers(scorer, tmp_path)
    inputs = TowerInputs.load(tmp_path)
    users = np.arange(len(inputs.user_ids))
    query = OnnxTower(tmp_path / QUERY_TOWER_FILE).run(
        inputs.query_inputs_at(users, users % 24)
    )
    items = OnnxTower(tmp_path / ITEM_TOWER_FILE).run(inputs.item_inputs())

    scores = query @ items.T

    expected = scorer.score(users, context={"hour": users % 24})
    np.testing.assert_allclose(scores, expected, rtol=0, atol=TOLERANCE)


def test_export_unknown_user_and_item(scorer, tmp_path):
    export_towers(scorer, tmp_path)
    inputs = TowerInputs.load(tmp_path)
    query_inputs = inputs.query_inputs([987654], [12], [3])
    item_inputs = inputs.item_inputs([987654])

    query = OnnxTower(tmp_path / QUERY_TOWER_FILE).run(query_inputs)
    item = OnnxTower(tmp_path / ITEM_TOWER_FILE).run(item_inputs)

    assert query_inputs["user_index"].tolist() == [0]
    assert item_inputs["item_index"].tolist() == [0]
    np.testing.assert_allclose(
        query, scorer.query_vectors(query_inputs), atol=TOLERANCE
    )
    np.testing.assert_allclose(item, scorer.item_vectors(item_inputs), atol=TOLERANCE)


def test_export_longer_history(scorer, tmp_path):
    # The history axis is dynamic: a longer history than training used still runs.
    export_towers(scorer, tmp_path)
    inputs = scorer.inputs_.query_inputs_at(np.arange(4))
    inputs["history"] = np.tile(np.arange(1, 8, dtype=np.int64), (4, 1))

    actual = OnnxTower(tmp_path / QUERY_TOWER_FILE).run(inputs)

    np.testing.assert_allclose(actual, scorer.query_vectors(inputs), atol=TOLERANCE)


def test_export_check_data_with_new_ids(scorer, seed, tmp_path):
    # More users and items than the scorer was fitted on: the extra ids are unknown.
    check_data = small_data(seed + 1, user_count=40, item_count=26)

    differences = export_towers(scorer, tmp_path, check_data=check_data)

    assert differences["query_tower"] <= TOLERANCE
    assert differences["item_tower"] <= TOLERANCE


def test_export_writes_tower_inputs(scorer, tmp_path):
    export_towers(scorer, tmp_path / "version")

    inputs = TowerInputs.load(tmp_path / "version")

    np.testing.assert_array_equal(inputs.user_ids, scorer.inputs_.user_ids)
    np.testing.assert_array_equal(inputs.user_history, scorer.inputs_.user_history)


def test_export_loaded_scorer(scorer, tmp_path):
    scorer.save(tmp_path / "saved")
    loaded = TwoTowerScorer.load(tmp_path / "saved")

    differences = export_towers(loaded, tmp_path / "onnx")

    assert max(differences.values()) <= TOLERANCE


def test_export_unfitted_raises(tmp_path):
    with pytest.raises(NotBuiltError, match="not fitted"):
        export_towers(TwoTowerScorer(), tmp_path)


def test_export_check_data_without_interactions(scorer, data, tmp_path):
    check_data = InteractionData.from_arrays(
        user_ids=data.user_ids,
        item_ids=data.item_ids,
        interaction_users=[],
        interaction_items=[],
        timestamps=[],
    )

    differences = export_towers(scorer, tmp_path, check_data=check_data)

    assert max(differences.values()) <= TOLERANCE
