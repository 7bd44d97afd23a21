import json

import pytest

import engine
from cli import sqlrec
from engine.demo import generate_demo
from engine.ingest import ingest_files
from engine.training import train


@pytest.fixture(scope="module")
def trained_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("index") / "demo.sqlrec"
    store = engine.open(path, create=True)
    demo = generate_demo(seed=4, user_count=80, item_count=150)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)
    train(store, models=["two_tower"], params={"two_tower": {"epochs": 1}}, seed=4)
    return path


def test_index_seed_in_manifest(runner, trained_store):
    result = runner.invoke(
        sqlrec, ["--store", str(trained_store), "index", "--seed", "5", "--json"]
    )

    assert result.exit_code == 0, result.output
    manifest = json.loads(result.output)
    assert manifest["seed"] == 5
    assert engine.open(trained_store).manifest()["seed"] == 5


def test_index_rejects_bad_seed(runner, trained_store):
    result = runner.invoke(
        sqlrec, ["--store", str(trained_store), "index", "--seed", "many"]
    )

    assert result.exit_code == 2
    assert "'many' is not a valid integer" in result.output
