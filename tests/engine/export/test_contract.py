"""Tests of the ONNX contract files and of exported models against them."""

import copy
import importlib.resources
import json

import onnx
import pytest

from engine.errors import ExportError
from engine.export import (
    ITEM_TOWER_FILE,
    OPSET,
    QUERY_TOWER_FILE,
    check_contract,
    export_towers,
    load_contract,
)

DTYPES = {"int64": onnx.TensorProto.INT64, "float32": onnx.TensorProto.FLOAT}
TOWERS = [("query_tower", QUERY_TOWER_FILE), ("item_tower", ITEM_TOWER_FILE)]


def contract_file(name: str) -> dict:
    text = importlib.resources.files("onnx_models").joinpath(f"{name}.json").read_text()
    return json.loads(text)


@pytest.fixture
def exported(scorer, tmp_path):
    export_towers(scorer, tmp_path)
    return tmp_path


@pytest.mark.parametrize(("name", "file"), TOWERS)
def test_contract_file_fields(name, file):
    contract = contract_file(name)

    assert contract["model"] == name
    assert contract["file"] == file
    assert contract["opset"] == OPSET
    assert "batch" in contract["dynamic_axes"]
    for spec in contract["inputs"] + contract["outputs"]:
        assert spec["shape"][0] == "batch", spec
        assert spec["dtype"] in DTYPES, spec
        assert spec["description"], spec


@pytest.mark.parametrize(("name", "file"), TOWERS)
def test_exported_model_matches_contract(exported, name, file):
    contract = contract_file(name)
    model = onnx.load(str(exported / file))
    graph_inputs = {value.name: value for value in model.graph.input}
    graph_outputs = {value.name: value for value in model.graph.output}

    assert [value.name for value in model.graph.input] == [
        spec["name"] for spec in contract["inputs"]
    ]
    assert list(graph_outputs) == [spec["name"] for spec in contract["outputs"]]
    assert model.opset_import[0].version == contract["opset"]
    for spec in contract["inputs"] + contract["outputs"]:
        value = graph_inputs.get(spec["name"]) or graph_outputs[spec["name"]]
        tensor = value.type.tensor_type
        dims = list(tensor.shape.dim)
        assert tensor.elem_type == DTYPES[spec["dtype"]], spec["name"]
        assert len(dims) == len(spec["shape"]), spec["name"]
        for dim, axis in zip(dims, spec["shape"]):
            if axis in contract["dynamic_axes"]:
                assert dim.dim_param == axis, (spec["name"], axis)
            else:
                assert dim.dim_value > 0, (spec["name"], axis)


@pytest.mark.parametrize(("name", "file"), TOWERS)
def test_check_contract_accepts_export(exported, name, file):
    check_contract(exported / file, load_contract(name))


def test_check_contract_renamed_input(exported):
    contract = copy.deepcopy(load_contract("query_tower"))
    contract["inputs"][0]["name"] = "user_id"

    with pytest.raises(ExportError, match="input names"):
        check_contract(exported / QUERY_TOWER_FILE, contract)


def test_check_contract_wrong_dtype(exported):
    contract = copy.deepcopy(load_contract("item_tower"))
    contract["inputs"][1]["dtype"] = "int64"

    with pytest.raises(ExportError, match="item_features is float32"):
        check_contract(exported / ITEM_TOWER_FILE, contract)


def test_check_contract_fixed_axis_as_dynamic(exported):
    contract = copy.deepcopy(load_contract("item_tower"))
    contract["dynamic_axes"].append("item_feature_count")

    with pytest.raises(ExportError, match="'item_feature_count' is not dynamic"):
        check_contract(exported / ITEM_TOWER_FILE, contract)


def test_check_contract_other_opset(exported):
    contract = {**load_contract("item_tower"), "opset": OPSET + 1}

    with pytest.raises(ExportError, match=f"opset {OPSET}"):
        check_contract(exported / ITEM_TOWER_FILE, contract)


def test_load_contract_missing():
    with pytest.raises(FileNotFoundError, match="ranker.json"):
        load_contract("ranker")


def test_dtype_codes_match_onnx():
    from engine.export._onnx import _DTYPES

    assert _DTYPES == {onnx.TensorProto.INT64: "int64", onnx.TensorProto.FLOAT: "float32"}
