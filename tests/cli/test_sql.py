import json

import duckdb

import engine
from engine.errors import StoreError
from cli import sqlrec


def _store_with_rows(store_path):
    store = engine.open(store_path, create=True)
    with store.writer() as con:
        con.execute("insert into items values (1), (2), (3)")
    return store


def test_sql_prints_table(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(sqlrec, ["--store", str(store_path), "sql", "select count(*) as n from items"])

    assert result.exit_code == 0
    assert result.output.splitlines() == ["n", "-", "3", "(1 row)"]


def test_sql_csv_and_json(runner, store_path):
    _store_with_rows(store_path)
    query = "select item_id from items order by item_id"

    as_csv = runner.invoke(sqlrec, ["--store", str(store_path), "sql", "--format", "csv", query])
    as_json = runner.invoke(sqlrec, ["--store", str(store_path), "sql", "--format", "json", query])

    assert as_csv.output.splitlines() == ["item_id", "1", "2", "3"]
    assert json.loads(as_json.output) == [{"item_id": 1}, {"item_id": 2}, {"item_id": 3}]


def test_sql_runs_every_statement(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec, ["--store", str(store_path), "sql", "--format", "csv", "select 1 as a; select 2 as b"]
    )

    assert result.output.splitlines() == ["a", "1", "b", "2"]


def test_sql_read_only_names_write_flag(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(sqlrec, ["--store", str(store_path), "sql", "delete from items"])
    written = runner.invoke(sqlrec, ["--store", str(store_path), "sql", "--write", "delete from items"])

    assert result.exit_code == 1
    assert "pass --write" in result.output
    assert written.exit_code == 0


def test_sql_macros_in_plain_duckdb(runner, store_path, tmp_path):
    _store_with_rows(store_path)
    script = tmp_path / "macros.sql"

    printed = runner.invoke(sqlrec, ["sql", "--print-macros"])
    script.write_text(printed.output)
    con = duckdb.connect(str(store_path / "catalog.duckdb"), read_only=True)
    con.execute(script.read_text())
    macros = {
        row[0]
        for row in con.execute(
            "select function_name from duckdb_functions() where function_type = 'table_macro'"
        ).fetchall()
    }
    con.close()

    assert printed.exit_code == 0
    assert {"recall_at_k", "ndcg_at_k", "mrr", "summary_metrics"} <= macros


def test_sql_prompt_reads_stdin(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec, ["--store", str(store_path), "sql", "--format", "csv"],
        input="select count(*) as n\nfrom items;\n.quit\n",
    )

    assert result.exit_code == 0
    assert result.output.splitlines()[-2:] == ["n", "3"]


def test_sql_write_blocked_by_reader(runner, store_path, hold_catalog):
    store = _store_with_rows(store_path)
    hold_catalog(store.catalog_path)

    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "sql", "--write", "delete from items"],
        env={"SQLREC_OPEN_TIMEOUT": "0.2"},
    )

    message = str(result.exception)
    assert isinstance(result.exception, StoreError)
    assert "open in another process" in message
    assert "read-write" not in message
    assert "Close that process" in message
