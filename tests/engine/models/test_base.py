"""Tests of the helpers of the scorer contract."""

import pytest

from engine.models import MODELS, get_model
from engine.models._base import named_progress


def test_named_progress_prefixes_message():
    calls = []

    progress = named_progress(lambda *call: calls.append(call), "item_knn")
    progress(2, 5, "cosine neighbours")

    assert calls == [(2, 5, "item_knn cosine neighbours")]


def test_named_progress_keeps_none():
    assert named_progress(None, "item_knn") is None


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("item_knn", {"neighbour_count": 0}, "model item_knn: invalid neighbour_count"),
        ("user_knn", {"similarity": "pearson"}, "model user_knn: invalid similarity"),
        ("sequence_knn", {"decay": 2.0}, "model sequence_knn: invalid decay: 2.0"),
        ("metadata", {"popularity_weight": -1}, "model metadata: invalid popularity"),
        ("two_tower", {"averaging_start": -1}, "model two_tower: invalid averaging"),
        ("hybrid", {"two_tower_weight": -1}, "model hybrid: invalid two_tower_weight"),
        (
            "hybrid",
            {"user_knn": {"neighbour_count": 0}},
            "model hybrid: the hybrid's user_knn part: invalid neighbour_count",
        ),
    ],
)
def test_get_model_checks_values(name, params, message):
    with pytest.raises(ValueError, match=message):
        get_model(name, **params)


def test_get_model_checks_parts_without_weight():
    # A part with weight 0 is not fitted, but result tables record its
    # parameters, so a bad one is still rejected.
    with pytest.raises(ValueError, match="user_knn part: invalid neighbour_count: 0"):
        get_model("hybrid", user_knn_weight=0, user_knn={"neighbour_count": 0})


def test_get_model_skips_unset_parts_without_weight():
    scorer = get_model("hybrid", user_knn_weight=0)

    assert scorer.user_knn_weight == 0


@pytest.mark.parametrize("name", sorted(MODELS))
def test_default_params_pass_checks(name):
    MODELS[name]().check_params()
