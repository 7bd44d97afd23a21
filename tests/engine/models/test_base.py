"""Tests of the helpers of the scorer contract."""

from engine.models._base import named_progress


def test_named_progress_prefixes_message():
    calls = []

    progress = named_progress(lambda *call: calls.append(call), "item_knn")
    progress(2, 5, "cosine neighbours")

    assert calls == [(2, 5, "item_knn cosine neighbours")]


def test_named_progress_keeps_none():
    assert named_progress(None, "item_knn") is None
