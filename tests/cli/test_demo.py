import json

import engine
from cli import sqlrec


def test_demo_builds_and_serves(runner, store_path):
    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "demo", "--users", "120", "--items", "200", "--epochs", "2"],
    )

    assert result.exit_code == 0, result.output
    assert "planted duplicate items" in result.output
    assert "fingerprint" in result.output
    assert "Friday 20:00" in result.output
    store = engine.open(store_path)
    assert store.manifest()["item_count"] >= 200
    assert len(store.recommend(1, k=5, hour=9, weekday=6)) == 5


def test_demo_filters_christmas(runner, store_path):
    runner.invoke(sqlrec, ["--store", str(store_path), "demo", "--users", "120", "--items", "200", "--epochs", "1"])

    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "recommend", "--user", "3", "--k", "3", "--filter",
         "christmas=true", "--json"],
    )

    payload = json.loads(result.output)
    store = engine.open(store_path)
    with store.connect() as con:
        christmas = {r[0] for r in con.execute("select item_id from items where christmas").fetchall()}
    assert result.exit_code == 0
    assert {item["item_id"] for item in payload["items"]} <= christmas


def test_demo_refuses_existing_store(runner, store_path):
    runner.invoke(sqlrec, ["--store", str(store_path), "init"])
    (store_path / "catalog.duckdb").touch()

    result = runner.invoke(sqlrec, ["--store", str(store_path), "demo"])

    assert result.exit_code != 0
    assert "not a demo store" in result.output


def test_demo_rerun_needs_replace(runner, store_path):
    args = ["--store", str(store_path), "demo", "--users", "60", "--items", "100", "--epochs", "1"]
    runner.invoke(sqlrec, args)

    again = runner.invoke(sqlrec, args)
    replaced = runner.invoke(sqlrec, [*args, "--replace"])

    assert again.exit_code != 0
    assert "--replace" in again.output
    assert replaced.exit_code == 0, replaced.output
