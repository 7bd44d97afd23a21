import json
import shutil

import pytest

import engine
from cli import sqlrec
from engine.demo import generate_demo
from engine.index import build_index
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


def test_index_names_newest_version_with_towers(runner, trained_store, tmp_path):
    copy = tmp_path / "knn.sqlrec"
    shutil.copytree(trained_store, copy)
    store = engine.open(copy)
    with_towers = engine.index.latest_version(store)
    knn_only = train(store, models=["item_knn"], seed=4).version
    before = store.manifest()

    result = runner.invoke(sqlrec, ["--store", str(copy), "index"])

    assert result.exit_code == 1
    # The group raises the error, which the console entry point then prints.
    message = str(result.exception)
    assert f"version {knn_only} has no item tower" in message
    assert f"sqlrec index --version {with_towers}" in message
    assert store.manifest() == before
    picked = runner.invoke(
        sqlrec, ["--store", str(copy), "index", "--version", with_towers, "--json"]
    )
    assert picked.exit_code == 0, picked.output
    assert json.loads(picked.output)["version"] == with_towers


@pytest.fixture
def indexed_store(trained_store, tmp_path):
    copy = tmp_path / "indexed.sqlrec"
    shutil.copytree(trained_store, copy)
    build_index(engine.open(copy))
    return copy


def test_index_update_adds_and_deletes(runner, indexed_store):
    store = engine.open(indexed_store)
    with store.writer() as con:
        con.execute(
            "insert into items select * replace (80001 as item_id, 'Newcomer' as title) "
            "from items where item_id = 1"
        )
        con.execute("delete from items where item_id = 2")

    result = runner.invoke(sqlrec, ["--store", str(indexed_store), "index", "--update"])
    served = runner.invoke(
        sqlrec,
        ["--store", str(indexed_store), "recommend", "--user", "3", "--include-seen",
         "--filter", "title=Newcomer", "--json"],
    )

    assert result.exit_code == 0, result.output
    assert "1 items added, 1 deleted, 150 indexed" in result.output
    assert served.exit_code == 0, served.output
    assert [item["item_id"] for item in json.loads(served.output)["items"]] == [80001]


def test_index_update_json(runner, indexed_store):
    result = runner.invoke(
        sqlrec, ["--store", str(indexed_store), "index", "--update", "--json"]
    )

    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["added_count"] == 0
    assert payload["deleted_count"] == 0
    assert payload["manifest"] == engine.open(indexed_store).manifest()


@pytest.mark.parametrize(
    ("options", "message"),
    [(["--version", "v1"], "leave out --version"), (["--seed", "3"], "leave out --seed")],
)
def test_index_update_rejects_build_options(runner, indexed_store, options, message):
    before = engine.open(indexed_store).manifest()

    result = runner.invoke(
        sqlrec, ["--store", str(indexed_store), "index", "--update", *options]
    )

    assert result.exit_code == 2
    assert message in result.output
    assert engine.open(indexed_store).manifest() == before


def test_index_rejects_negative_seed(runner, indexed_store):
    before = engine.open(indexed_store).manifest()

    result = runner.invoke(
        sqlrec, ["--store", str(indexed_store), "index", "--seed", "-1"]
    )

    assert result.exit_code == 2
    assert "--seed" in result.output
    assert "-1 is not in the range x>=0" in result.output
    assert engine.open(indexed_store).manifest() == before
