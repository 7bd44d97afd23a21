import json

import pytest

import engine
from cli import sqlrec
from engine.demo import generate_demo
from engine.index import build_index
from engine.ingest import ingest_files
from engine.training import train


@pytest.fixture(scope="module")
def served_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("recommend") / "demo.sqlrec"
    store = engine.open(path, create=True)
    demo = generate_demo(seed=6, user_count=80, item_count=150)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)
    train(store, models=["popular", "two_tower"], params={"two_tower": {"epochs": 1}}, seed=6)
    build_index(store)
    return path


def recommend(runner, path, *args):
    return runner.invoke(sqlrec, ["--store", str(path), "recommend", *args])


@pytest.mark.parametrize("extra", [[], ["--include-seen"]])
def test_recommend_zero_match_filter(runner, served_store, extra):
    result = recommend(runner, served_store, "--user", "3", "--filter", "year>3000", *extra)

    assert result.exit_code == 0, result.output
    assert "no item matches the filters" in result.output
    assert "Traceback" not in result.output


def test_recommend_zero_match_json(runner, served_store):
    result = recommend(
        runner, served_store, "--user", "3", "--filter", "year>3000", "--json"
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["items"] == []
