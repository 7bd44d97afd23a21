import json
import shutil
from pathlib import Path

import pytest

import engine
from engine.demo import generate_demo
from engine.errors import NotBuiltError, StoreError
from engine.index import latest_version
from engine.ingest import ingest_files
from engine.models import ItemKNNScorer, SequenceLinearScorer
from engine.training import train


@pytest.fixture
def loaded_store(store_path):
    store = engine.open(store_path, create=True)
    demo = generate_demo(seed=1, user_count=60, item_count=100)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)
    return store


def test_train_writes_complete_version(loaded_store):
    result = train(loaded_store, models=["popular", "item_knn"], seed=1)

    files = {p.name for p in result.path.iterdir()}
    info = json.loads((result.path / "version.json").read_text())
    assert {"popular", "item_knn", "seen.parquet", "popularity.parquet", "version.json"} <= files
    assert info["models"] == ["popular", "item_knn"]
    assert not list(loaded_store.models_path.glob(".tmp-*"))


def test_train_fits_shared_two_towers_once(loaded_store):
    calls = []
    params = {
        "two_tower": {"epochs": 2},
        "hybrid": {"two_tower": {"epochs": 2}, "two_tower_fits": 1},
    }

    result = train(
        loaded_store,
        models=["hybrid", "two_tower"],
        params=params,
        seed=1,
        progress=lambda done, total, label: calls.append(label),
    )

    # The hybrid comes last and takes the two towers fitted for serving, and
    # its fit time includes theirs.
    assert list(result.fit_seconds) == ["two_tower", "hybrid"]
    assert result.fit_seconds["hybrid"] >= result.fit_seconds["two_tower"]
    epochs = [label for label in calls if "two_tower" in label and "mean loss" in label]
    assert len(epochs) == 2
    served = (result.path / "two_tower" / "weights.pt").read_bytes()
    blended = (result.path / "hybrid" / "two_tower" / "weights.pt").read_bytes()
    assert served == blended


def test_train_records_every_parameter(loaded_store):
    params = {
        "item_knn": {"shrinkage": 7.5},
        "hybrid": {"two_tower": {"epochs": 1}, "two_tower_fits": 1},
    }

    result = train(loaded_store, models=["item_knn", "hybrid"], params=params, seed=1)

    with loaded_store.connect() as con:
        settings = con.execute(
            "select settings from model_versions where version = ?",
            [result.version],
        ).fetchone()[0]
    info = json.loads((result.path / "version.json").read_text())
    for record in (json.loads(settings)["params"], info["params"]):
        # The given values and the defaults, as evaluation records them.
        assert record["item_knn"]["shrinkage"] == 7.5
        assert record["item_knn"]["neighbour_count"] == ItemKNNScorer().neighbour_count
        assert record["hybrid"]["two_tower_fits"] == 1
        assert record["hybrid"]["popularity_penalty"] == 1.0
        assert record["hybrid"]["two_tower"]["epochs"] == 1
        assert record["hybrid"]["item_knn"]["shrinkage"] == ItemKNNScorer().shrinkage
        # Sorted keys, as eval_runs stores them.
        assert list(record["item_knn"]) == sorted(record["item_knn"])
        assert list(record["hybrid"]) == sorted(record["hybrid"])
        tower = record["hybrid"]["two_tower"]
        assert list(tower) == sorted(tower)
    assert Path(json.loads(settings)["path"]).is_absolute()


def test_train_defaults_leave_out_models_over_item_limit(loaded_store, monkeypatch):
    monkeypatch.setattr(
        "engine.training._build.DEFAULT_MODELS", ("popular", "sequence_linear")
    )
    monkeypatch.setattr(SequenceLinearScorer, "max_items", 10)

    result = train(loaded_store, seed=1)

    assert list(result.fit_seconds) == ["popular"]
    info = json.loads((result.path / "version.json").read_text())
    assert info["models"] == ["popular"]


def test_train_removes_stale_staging(loaded_store):
    stale = loaded_store.models_path / ".tmp-v20260101T000000"
    stale.mkdir(parents=True)
    (stale / "weights.pt").write_bytes(b"partial")

    result = train(loaded_store, models=["popular"], seed=1)

    assert not stale.exists()
    assert result.path.is_dir()


def test_train_records_model_version(loaded_store):
    first = train(loaded_store, models=["popular"], seed=1)
    loaded_store.promote({"version": first.version})

    second = train(loaded_store, models=["popular"], seed=1)

    with loaded_store.connect() as con:
        rows = con.execute("select version, parent from model_versions order by version").fetchall()
    assert rows == [(first.version, None), (second.version, first.version)]


def test_train_bad_value_before_fit(loaded_store):
    params = {"item_knn": {"neighbour_count": 0}}

    with pytest.raises(ValueError, match="model item_knn: invalid neighbour_count: 0"):
        train(loaded_store, models=["popular", "item_knn"], params=params)

    models_path = loaded_store.models_path
    assert not models_path.exists() or not list(models_path.iterdir())


def test_train_failure_leaves_no_version(loaded_store, monkeypatch):
    # A fit that fails after the first model has been fitted and saved.
    def failing_fit(self, data, *, seed=0, progress=None):
        raise ValueError("item_knn failed")

    monkeypatch.setattr(ItemKNNScorer, "fit", failing_fit)

    with pytest.raises(ValueError, match="item_knn failed"):
        train(loaded_store, models=["popular", "item_knn"])

    assert not list(loaded_store.models_path.iterdir())


def test_train_rejects_unknown_model(loaded_store):
    with pytest.raises(ValueError, match="unknown model: nope"):
        train(loaded_store, models=["nope"])


def test_train_without_interactions(store_path):
    store = engine.open(store_path, create=True)

    with pytest.raises(NotBuiltError, match="no interactions"):
        train(store, models=["popular"])


def test_train_blocked_write_leaves_no_version(loaded_store, hold_catalog):
    store = engine.Store(loaded_store.path, open_timeout=0.2)
    hold_catalog(store.catalog_path)

    with pytest.raises(StoreError, match="is open in another process"):
        train(store, models=["popular"], seed=1)

    assert list(store.models_path.iterdir()) == []


def test_index_skips_unrecorded_version(loaded_store):
    trained = train(loaded_store, models=["popular"], seed=1)
    orphan = loaded_store.version_path("v99991231T235959")
    shutil.copytree(trained.path, orphan)

    assert latest_version(loaded_store) == trained.version
