import json

from cli import sqlrec
from engine.models import MODELS


def test_models_lists_parameters(runner):
    result = runner.invoke(sqlrec, ["models", "item_knn"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("item_knn: Score an item")
    assert "  neighbour_count=20  (int)" in result.output
    assert "  recency_half_life=7.0  (float or null)" in result.output
    assert "two_tower" not in result.output


def test_models_names_changed_part_defaults(runner):
    result = runner.invoke(sqlrec, ["models", "hybrid"])

    assert result.exit_code == 0, result.output
    assert 'as in "sqlrec models metadata" but popularity_weight=0.0)' in result.output
    assert "  two_tower_weight=10.0  (float)" in result.output
    assert "  popularity_penalty=1.0  (float)" in result.output


def test_models_without_parameters(runner):
    result = runner.invoke(sqlrec, ["models", "popular"])

    assert result.exit_code == 0, result.output
    assert "  no parameters" in result.output


def test_models_names_item_limit(runner):
    limited = runner.invoke(sqlrec, ["models", "sequence_linear"])
    unlimited = runner.invoke(sqlrec, ["models", "item_knn"])
    payload = json.loads(runner.invoke(sqlrec, ["models", "--json"]).output)
    limits = {model["name"]: model["max_items"] for model in payload}

    assert "  fits catalogues of at most 15,000 items" in limited.output
    assert "fits catalogues" not in unlimited.output
    assert limits["sequence_linear"] == 15_000
    assert limits["item_knn"] is None


def test_models_json(runner):
    result = runner.invoke(sqlrec, ["models", "--json"])

    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [model["name"] for model in payload] == list(MODELS)
    tower = next(model for model in payload if model["name"] == "two_tower")
    averaging = next(p for p in tower["parameters"] if p["name"] == "averaging_start")
    assert averaging["default"] == 20
    assert averaging["type"] == "int or null"


def test_models_unknown_name(runner):
    result = runner.invoke(sqlrec, ["models", "item_knn,bogus"])

    assert result.exit_code == 2
    assert "unknown model: bogus, expected one of" in result.output
