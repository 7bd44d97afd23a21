"""`sqlrec ingest` through click's runner: exit codes, printed counts, --json."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from cli import sqlrec

ITEMS = "item_id,title,genres\n1,Toy,Animation|Comedy\n2,Heat,Action\n"
CLICKS = "user_id,item_id,timestamp\n1,1,881250949\n\n1,9,881250950\n2,2,881250951\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"items": tmp_path / "items.csv", "clicks": tmp_path / "clicks.csv"}
    paths["items"].write_text(ITEMS, encoding="utf-8")
    paths["clicks"].write_text(CLICKS, encoding="utf-8")
    return paths


def _ingest(runner, store_path: Path, *args: str):
    return runner.invoke(sqlrec, ["--store", str(store_path), "ingest", *args])


def _count(store_path: Path, table: str) -> int:
    con = duckdb.connect(str(store_path / "catalog.duckdb"), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def test_ingest_csv_prints_counts(runner, store_path, files):
    result = _ingest(
        runner,
        store_path,
        "--interactions",
        str(files["clicks"]),
        "--items",
        str(files["items"]),
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["table", "loaded", "updated", "rejected", "source"]
    assert lines[1].split() == ["items", "2", "0", "0", str(files["items"])]
    assert lines[2].split() == ["interactions", "2", "0", "2", str(files["clicks"])]
    assert "rejected interactions: empty line: 1" in lines
    assert "rejected interactions: unknown item: 1" in lines
    assert "users added from interactions: 2" in lines


def test_ingest_creates_store(runner, store_path, files):
    result = _ingest(runner, store_path, "--items", str(files["items"]))

    assert result.exit_code == 0, result.output
    assert _count(store_path, "items") == 2


def test_ingest_json_report(runner, store_path, files):
    result = _ingest(
        runner,
        store_path,
        "--interactions",
        str(files["clicks"]),
        "--items",
        str(files["items"]),
        "--json",
    )

    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["tables"]["interactions"]["loaded"] == 2
    assert payload["tables"]["interactions"]["rejected"] == 2
    assert payload["tables"]["interactions"]["reasons"] == {
        "empty line": 1,
        "unknown item": 1,
    }
    assert payload["tables"]["items"]["source"] == str(files["items"])
    assert payload["reasons"] == {"empty line": 1, "unknown item": 1}
    assert payload["created_users"] == 2


def test_ingest_missing_column_fails(runner, store_path, tmp_path, files):
    clicks = tmp_path / "renamed.csv"
    clicks.write_text("uid,item_id,timestamp\n1,1,881250949\n", encoding="utf-8")

    result = _ingest(
        runner,
        store_path,
        "--interactions",
        str(clicks),
        "--items",
        str(files["items"]),
    )

    assert result.exit_code == 1
    assert (
        f"missing column: user_id in {clicks} (rename it or pass --user-column NAME"
        in result.output
    )


def test_ingest_column_option_maps(runner, store_path, tmp_path, files):
    clicks = tmp_path / "renamed.csv"
    clicks.write_text("uid,item_id,time,stars\n1,1,881250949,4\n", encoding="utf-8")

    result = _ingest(
        runner,
        store_path,
        "--interactions",
        str(clicks),
        "--items",
        str(files["items"]),
        "--user-column",
        "uid",
        "--timestamp-column",
        "time",
        "--weight-column",
        "stars",
        "--json",
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["tables"]["interactions"]["loaded"] == 1


def test_ingest_item_id_column_option(runner, store_path, tmp_path):
    items = tmp_path / "movies.csv"
    items.write_text("movie,title\n5,Up\n", encoding="utf-8")

    result = _ingest(
        runner, store_path, "--items", str(items), "--item-id-column", "movie"
    )

    assert result.exit_code == 0, result.output
    assert _count(store_path, "items") == 1


def test_ingest_list_column_option(runner, store_path, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("item_id,actors\n1,Ann Lee\n", encoding="utf-8")

    result = _ingest(
        runner, store_path, "--items", str(items), "--list-column", "actors"
    )

    con = duckdb.connect(str(store_path / "catalog.duckdb"), read_only=True)
    actors = con.execute("select actors from items").fetchall()
    con.close()
    assert result.exit_code == 0, result.output
    assert actors == [(["Ann Lee"],)]


def test_ingest_nothing_loaded_fails(runner, store_path, tmp_path):
    clicks = tmp_path / "clicks.csv"
    clicks.write_text("user_id,item_id,timestamp\n1,1,881250949\n", encoding="utf-8")

    result = _ingest(runner, store_path, "--interactions", str(clicks))

    assert result.exit_code == 1
    assert "nothing could be loaded from" in result.output
    assert "unknown item: 1" in result.output
    assert not store_path.exists()


def test_ingest_failure_keeps_existing_store(runner, store_path, tmp_path):
    clicks = tmp_path / "clicks.csv"
    clicks.write_text("user_id,item_id,timestamp\n1,1,881250949\n", encoding="utf-8")
    runner.invoke(sqlrec, ["--store", str(store_path), "init"])

    result = _ingest(runner, store_path, "--interactions", str(clicks))

    assert result.exit_code == 1
    assert _count(store_path, "interactions") == 0


def test_ingest_without_input_is_usage_error(runner, store_path):
    result = _ingest(runner, store_path)

    assert result.exit_code == 2
    assert "nothing to ingest" in result.output


def test_ingest_directory_needs_format(runner, store_path, tmp_path):
    result = _ingest(runner, store_path, str(tmp_path))

    assert result.exit_code == 2
    assert "needs --format movielens-100k" in result.output


def test_ingest_format_excludes_files(runner, store_path, tmp_path, files):
    result = _ingest(
        runner,
        store_path,
        "--format",
        "movielens-100k",
        str(tmp_path),
        "--items",
        str(files["items"]),
    )

    assert result.exit_code == 2
    assert "--items cannot be combined with --format movielens-100k" in result.output


def test_ingest_format_needs_directory(runner, store_path):
    result = _ingest(runner, store_path, "--format", "movielens-100k")

    assert result.exit_code == 2
    assert "needs the DIRECTORY" in result.output


def test_ingest_help_names_options(runner):
    result = runner.invoke(sqlrec, ["ingest", "--help"])

    assert result.exit_code == 0
    for option in ("--user-column", "--item-id-column", "--list-column", "--json"):
        assert option in result.output


@pytest.mark.slow
def test_ingest_movielens_cli(runner, store_path, ml100k_dir):
    result = _ingest(
        runner, store_path, "--format", "movielens-100k", str(ml100k_dir), "--json"
    )

    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    loaded = {table: entry["loaded"] for table, entry in payload["tables"].items()}
    assert loaded == {"items": 1682, "users": 943, "interactions": 100000}
    assert payload["reasons"] == {"empty line": 1}
