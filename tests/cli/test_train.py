import json
import re

import engine
from cli import sqlrec
from engine.demo import generate_demo
from engine.ingest import ingest_files


def test_train_timings_aligned(runner, store_path):
    store = engine.open(store_path, create=True)
    demo = generate_demo(seed=1, user_count=40, item_count=60)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)

    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "train", "--model", "popular,sequence_knn,item_knn"],
    )

    assert result.exit_code == 0, result.output
    timing_lines = [line for line in result.output.splitlines() if line.endswith(" s")]
    assert [line.split()[0] for line in timing_lines] == [
        "popular",
        "sequence_knn",
        "item_knn",
    ]
    assert len({len(line) for line in timing_lines}) == 1
    assert all(re.fullmatch(r"  \S+ +\d+\.\d s", line) for line in timing_lines)


def test_train_empty_model_names_value(runner, store_path):
    engine.open(store_path, create=True)

    result = runner.invoke(sqlrec, ["--store", str(store_path), "train", "--model", ""])

    assert result.exit_code == 2
    assert "invalid models: ''" in result.output
    assert "(''" not in result.output


def _demo_store(store_path):
    store = engine.open(store_path, create=True)
    demo = generate_demo(seed=1, user_count=40, item_count=60)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)
    return store


def _train_item_knn(runner, store_path, param, *options):
    arguments = ["--store", str(store_path), "train", "--model", "item_knn"]
    return runner.invoke(sqlrec, [*arguments, "--param", param, *options])


def test_train_param_reaches_model(runner, store_path):
    store = _demo_store(store_path)

    result = _train_item_knn(runner, store_path, "item_knn.shrinkage=7.5", "--json")

    assert result.exit_code == 0, result.output
    version = json.loads(result.stdout)["version"]
    config = json.loads(
        (store.models_path / version / "item_knn" / "scorer.json").read_text()
    )
    assert config["params"]["shrinkage"] == 7.5


def test_train_json_has_params_and_seed(runner, store_path):
    _demo_store(store_path)

    result = _train_item_knn(runner, store_path, "item_knn.shrinkage=7.5", "--json")

    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["seed"] == 0
    assert payload["params"]["item_knn"]["shrinkage"] == 7.5
    assert "neighbour_count" in payload["params"]["item_knn"]


def test_train_says_hybrid_time_includes_parts(runner, store_path):
    _demo_store(store_path)
    arguments = ["--store", str(store_path), "train", "--model", "item_knn,hybrid"]
    options = [
        "--param", "hybrid.two_tower_weight=0", "--param", "hybrid.item_knn_weight=1"
    ]

    result = runner.invoke(sqlrec, [*arguments, *options])

    assert result.exit_code == 0, result.output
    assert "the hybrid's time includes the parts it took" in result.output


def test_train_without_towers_says_index_cannot_serve(runner, store_path):
    _demo_store(store_path)

    result = _train_item_knn(runner, store_path, "item_knn.shrinkage=5")

    assert result.exit_code == 0, result.output
    assert 'this version has no two towers, so "sqlrec index" cannot' in result.output


def test_train_unknown_param_keeps_store(runner, store_path):
    store = _demo_store(store_path)

    result = _train_item_knn(runner, store_path, "item_knn.bogus=1")

    assert result.exit_code == 2
    assert "unknown parameter of item_knn: 'bogus'" in result.output
    assert not any(store.models_path.glob("v*"))


def test_train_accepts_models_spelling(runner, store_path):
    _demo_store(store_path)
    arguments = ["--store", str(store_path), "train", "--models", "popular", "--json"]

    result = runner.invoke(sqlrec, arguments)

    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)["fit_seconds"]) == ["popular"]
