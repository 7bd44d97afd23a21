"""Tuning and final runs: the grid, the choice, and what tuning may read."""

from __future__ import annotations

import numpy as np
import pytest
from _anchors import MODEL_SPECS, ModelSpec, expand_grid, run_final, tune
from bench_data import TINY_SEQUENCES

from engine.features import InteractionData
from engine.models import Scorer


class FavouriteItemScorer(Scorer):
    """Scores one item id 1 and every other item 0, for every user."""

    name = "favourite"

    def __init__(self, item_id: int = 0):
        self.item_id = item_id

    def fit(self, data: InteractionData, *, seed=0, progress=None):
        self.data_ = data
        return self

    def score(self, users, *, context=None):
        scores = np.zeros((len(users), self.data_.item_count), dtype=np.float32)
        index = self.data_.item_index([self.item_id])[0]
        if index >= 0:
            scores[:, index] = 1.0
        return scores


class RecordingScorer(FavouriteItemScorer):
    """FavouriteItemScorer that records each (user_id, item_id) pair it fits on."""

    fitted_pairs: set[tuple[int, int]] = set()

    def fit(self, data: InteractionData, *, seed=0, progress=None):
        users = data.user_ids[data.users]
        items = data.item_ids[data.items]
        RecordingScorer.fitted_pairs |= set(zip(users.tolist(), items.tolist()))
        return super().fit(data, seed=seed, progress=progress)


def without_times(trials):
    return [{k: v for k, v in trial.items() if k != "fit_seconds"} for trial in trials]


def favourite_spec(grid, scorer=FavouriteItemScorer, seeded=False) -> ModelSpec:
    return ModelSpec(
        name="favourite",
        label="favourite item",
        source="anchor",
        build=scorer,
        grid=grid,
        seeded=seeded,
    )


def test_expand_grid_last_name_fastest():
    grid = {"a": [1, 2], "b": ["x", "y"]}

    assert expand_grid(grid) == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]


def test_expand_grid_rejects_empty_values():
    with pytest.raises(ValueError, match="has no values"):
        expand_grid({"a": []})


def test_configurations_quick_grid():
    spec = ModelSpec("m", "m", "anchor", FavouriteItemScorer, {"a": [1, 2]}, {"a": [3]})

    assert spec.configurations() == [{"a": 1}, {"a": 2}]
    assert spec.configurations(quick=True) == [{"a": 3}]


def test_model_specs_unique_names():
    names = [spec.name for spec in MODEL_SPECS]

    assert len(names) == len(set(names))


def test_tune_picks_validation_item(tiny_store):
    # Tuning holds out each user's fourth item: 104 for users 1-3, 107 for 4-5.
    # 105 is the final test item of users 1-3 and must not win.
    spec = favourite_spec({"item_id": [105, 107, 104]})

    tuning = tune(tiny_store, "loo", spec)

    assert tuning.params == {"item_id": 104}
    recalls = [trial["recall_at_10"] for trial in tuning.trials]
    assert recalls == pytest.approx([0.0, 0.4, 0.6])


def test_tune_ties_go_to_first(tiny_store):
    spec = favourite_spec({"item_id": [1, 2]})

    tuning = tune(tiny_store, "loo", spec)

    assert tuning.params == {"item_id": 1}


def test_tune_single_configuration_skips_run(tiny_store):
    spec = favourite_spec({"item_id": [104]})

    tuning = tune(tiny_store, "loo", spec)

    assert tuning.params == {"item_id": 104}
    assert tuning.trials == []


def test_tune_never_reads_final_holdout(tiny_store):
    RecordingScorer.fitted_pairs = set()
    spec = favourite_spec({"item_id": [104, 105, 107]}, scorer=RecordingScorer)
    final_holdout = {(user, items[-1]) for user, items in TINY_SEQUENCES.items()}

    before = tune(tiny_store, "loo", spec)
    # Replace every user's final test item; tuning must not notice.
    with tiny_store.writer() as con:
        con.execute(
            "update interactions as i set item_id = 1 "
            "where i.timestamp = (select max(j.timestamp) from interactions as j "
            "where j.user_id = i.user_id)"
        )
    after = tune(tiny_store, "loo", spec)

    assert RecordingScorer.fitted_pairs
    assert not RecordingScorer.fitted_pairs & final_holdout
    assert after.params == before.params
    assert without_times(after.trials) == without_times(before.trials)


def test_run_final_seeds_and_user_recall(tiny_store):
    chosen = {
        "fixed": (favourite_spec({}, seeded=False), {"item_id": 105}),
        "seeded": (favourite_spec({}, seeded=True), {"item_id": 108}),
    }

    results = run_final(tiny_store, "loo", chosen, seeds=[0, 1])

    # Final test items: 105 for users 1-3, 108 for users 4-5.
    assert [run["seed"] for run in results["fixed"].runs] == [0]
    assert [run["seed"] for run in results["seeded"].runs] == [0, 1]
    assert results["fixed"].user_ids.tolist() == [1, 2, 3, 4, 5]
    assert results["fixed"].user_recall_at_10.tolist() == [1, 1, 1, 0, 0]
    assert results["seeded"].user_recall_at_10.tolist() == [0, 0, 0, 1, 1]
    assert results["fixed"].mean("recall_at_10") == pytest.approx(0.6)
    assert results["seeded"].mean("recall_at_10") == pytest.approx(0.4)
