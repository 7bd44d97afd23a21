import json

import pytest

import engine
from cli import sqlrec
from engine.demo import generate_demo
from engine.ingest import ingest_files
from engine.training import train


@pytest.fixture
def trained_path(store_path):
    store = engine.open(store_path, create=True)
    demo = generate_demo(seed=3, user_count=40, item_count=60)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)
    for model in ("popular", "item_knn", "user_knn"):
        train(store, models=[model], seed=3)
    return store_path


def _invoke(runner, path, *arguments):
    return runner.invoke(sqlrec, ["--store", str(path), "versions", *arguments])


def test_versions_table(runner, trained_path):
    result = _invoke(runner, trained_path)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["version", "created"]
    assert len(lines) == 2 + 3 + 1
    assert "popular" in lines[2]


def test_versions_prune_dry_run_json(runner, trained_path):
    result = _invoke(runner, trained_path, "--prune", "1", "--dry-run", "--json")

    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert len(payload["removed"]) == 2
    assert payload["dry_run"] is True
    assert len(json.loads(_invoke(runner, trained_path, "--json").output)) == 3


def test_versions_prune_then_list_all(runner, trained_path):
    result = _invoke(runner, trained_path, "--prune", "2")
    listed = _invoke(runner, trained_path, "--json")
    everything = _invoke(runner, trained_path, "--all", "--json")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("removed 1 version (")
    assert len(json.loads(listed.output)) == 2
    removed = [v for v in json.loads(everything.output) if v["removed_at"]]
    assert [v["models"] for v in removed] == [["popular"]]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--prune", "0"], "0 is not in the range x>=1"),
        (["--dry-run"], "--dry-run needs --prune N"),
    ],
)
def test_versions_bad_options(runner, trained_path, arguments, message):
    result = _invoke(runner, trained_path, *arguments)

    assert result.exit_code == 2
    assert message in result.output
