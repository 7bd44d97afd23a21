"""Tests of how ``--param`` values are read before they reach the models."""

import pytest

from cli._models import parse_params
from engine.models import MODELS


def test_whole_number_param_becomes_float():
    params = parse_params(
        (
            "hybrid.popularity_penalty=4",
            "hybrid.two_tower.learning_rate=1",
            "hybrid.two_tower.epochs=5",
            "item_knn.neighbour_count=20",
            "two_tower.averaging_start=3",
        ),
        MODELS,
        None,
    )

    penalty = params["hybrid"]["popularity_penalty"]
    learning_rate = params["hybrid"]["two_tower"]["learning_rate"]
    assert (penalty, type(penalty)) == (4.0, float)
    assert (learning_rate, type(learning_rate)) == (1.0, float)
    # Integer and optional parameters keep the number as it was typed.
    assert type(params["hybrid"]["two_tower"]["epochs"]) is int
    assert type(params["item_knn"]["neighbour_count"]) is int
    assert type(params["two_tower"]["averaging_start"]) is int


@pytest.mark.parametrize("raw", ["true", "null", "abc", "2.5"])
def test_other_param_values_kept(raw):
    params = parse_params((f"hybrid.popularity_penalty={raw}",), MODELS, None)

    expected = {"true": True, "null": None, "abc": "abc", "2.5": 2.5}[raw]
    assert params["hybrid"]["popularity_penalty"] == expected
    assert type(params["hybrid"]["popularity_penalty"]) is type(expected)
