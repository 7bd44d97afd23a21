import ast
import inspect
import re

import pytest

from engine.models import MODELS, describe_model
from engine.models._describe import _documented_parameters


@pytest.mark.parametrize("name", sorted(MODELS))
def test_documented_defaults_match_signature(name):
    documented = _documented_parameters(inspect.cleandoc(MODELS[name].__doc__))
    defaults = {p.name: p.default for p in describe_model(name).parameters}

    for parameter, (header_type, _) in documented.items():
        match = re.search(r"default=(.+)$", header_type)
        if match is None:
            continue
        assert parameter in defaults, f"{name} documents an unknown {parameter}"
        assert ast.literal_eval(match.group(1)) == defaults[parameter], parameter


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_parameter_documented(name):
    description = describe_model(name)

    assert description.summary
    for parameter in description.parameters:
        assert parameter.type, parameter.name
        assert parameter.description.endswith("."), parameter.name


def test_description_is_plain_text():
    parameters = {p.name: p for p in describe_model("item_knn").parameters}

    assert parameters["weighting"].description == (
        "Weighting of the interaction matrix before the similarities."
    )
    assert "``" not in parameters["alpha"].description
    assert parameters["weighting"].type == '{"none", "idf", "bm25"}'


def test_shared_description_reaches_each_name():
    tower = {p.name: p for p in describe_model("two_tower").parameters}
    hybrid = {p.name: p for p in describe_model("hybrid").parameters}

    assert tower["user_dropout"].description == tower["item_dropout"].description
    assert tower["user_dropout"].description.startswith("Share of training rows")
    assert hybrid["metadata"].type == "dict"
    assert hybrid["metadata_weight"].description.startswith("Weight of the metadata")


def test_describe_unknown_model():
    with pytest.raises(ValueError, match="unknown model: 'nope', expected one of"):
        describe_model("nope")
