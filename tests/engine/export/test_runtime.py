"""Tests of the ONNX Runtime wrapper."""

import numpy as np
import pytest

from engine.export import ITEM_TOWER_FILE, OnnxTower, export_towers


@pytest.fixture
def item_tower(scorer, tmp_path) -> OnnxTower:
    export_towers(scorer, tmp_path)
    return OnnxTower(tmp_path / ITEM_TOWER_FILE)


def test_onnx_tower_one_thread(item_tower):
    options = item_tower.session.get_session_options()

    assert options.intra_op_num_threads == 1
    assert options.inter_op_num_threads == 1


def test_onnx_tower_names(item_tower):
    assert item_tower.input_names == ["item_index", "item_features"]
    assert item_tower.output_name == "item_embedding"


def test_onnx_tower_ignores_extra_inputs(item_tower, scorer):
    inputs = scorer.inputs_.item_inputs()

    plain = item_tower.run(inputs)
    extra = item_tower.run({**inputs, "hour": np.zeros(3, dtype=np.int64)})

    np.testing.assert_array_equal(plain, extra)


def test_onnx_tower_missing_input(item_tower, scorer):
    inputs = scorer.inputs_.item_inputs()
    del inputs["item_features"]

    with pytest.raises(
        ValueError, match="missing inputs for item_tower.onnx: item_features"
    ):
        item_tower.run(inputs)


def test_onnx_tower_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="onnx model not found"):
        OnnxTower(tmp_path / "absent.onnx")
