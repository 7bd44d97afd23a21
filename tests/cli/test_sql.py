import csv
import io
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import engine
from engine.errors import StoreError
from cli import sqlrec
from cli.sql import _prompt


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


PROMPT_CASES = {
    "quit after blank line": ("select 1 as a;\n\n.quit\nselect 2 as b;\n", ["a", "1"]),
    "quit after comment": ("select 1 as a; -- note\n.quit\nselect 2 as b;\n", ["a", "1"]),
    "blank lines first": ("\n\n  \nselect 1 as a;\n", ["a", "1"]),
    "comment line first": ("-- note\n.exit\nselect 2 as b;\n", []),
    "semicolon in comment": ("select 1 as a /* ; */\n;\n", ["a", "1"]),
    "two statements one line": ("select 1 as a; select 2 as b;\n", ["a", "1", "b", "2"]),
}


@pytest.mark.parametrize(
    ("script", "expected"), PROMPT_CASES.values(), ids=PROMPT_CASES.keys()
)
def test_sql_prompt_input_cases(runner, store_path, script, expected):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec, ["--store", str(store_path), "sql", "--format", "csv"], input=script
    )

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.splitlines() == expected


def test_sql_prompt_semicolon_in_string(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "sql", "--format", "json"],
        input="select 'a;\nb' as s;\n.quit\n",
    )

    assert result.exit_code == 0
    assert result.stderr == ""
    assert json.loads(result.stdout) == [{"s": "a;\nb"}]


def test_sql_prompt_unknown_dot_command(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "sql", "--format", "csv"],
        input=".schema\nselect 1 as a;\n",
    )

    assert result.exit_code == 1
    assert "unknown command: .schema" in result.stderr
    assert result.stdout.splitlines() == ["a", "1"]


def test_sql_piped_failure_exits_1(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "sql", "--format", "csv"],
        input="select bad;\nselect 3 as c;\n",
    )

    assert result.exit_code == 1
    assert "query failed" in result.stderr
    assert "1 statement(s) failed" in result.stderr
    assert result.stdout.splitlines() == ["c", "3"]


def test_sql_piped_failure_real_pipe(store_path):
    _store_with_rows(store_path)

    sqlrec_bin = Path(sys.executable).with_name("sqlrec")

    result = subprocess.run(
        [str(sqlrec_bin), "--store", str(store_path), "sql", "--format", "csv"],
        input="select bad;\nselect 3 as c;\n",
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "query failed" in result.stderr
    assert result.stdout.splitlines() == ["c", "3"]


def test_sql_piped_success_exits_0(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "sql", "--format", "csv"],
        input="select 2 as b;\nselect 3 as c;\n",
    )

    assert result.exit_code == 0
    assert result.stderr == ""


def test_sql_prompt_tables(runner, store_path):
    store = _store_with_rows(store_path)
    with store.writer() as con:
        con.execute("create view item_ids as select item_id from items")

    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "sql", "--format", "csv"],
        input=".tables\n",
    )

    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["schema", "name", "type"]
    assert ["main", "items", "table"] in rows
    assert ["main", "item_ids", "view"] in rows
    assert not any(row[1].startswith("duckdb_") for row in rows)


def test_sql_prompt_help(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec, ["--store", str(store_path), "sql"], input=".help\n"
    )

    assert result.exit_code == 0
    assert ".tables" in result.stdout
    assert ".help" in result.stdout
    assert ".quit" in result.stdout


def test_sql_prompt_ctrl_c_drops_buffer(capsys):
    lines = iter(["select 1 as a", KeyboardInterrupt, "select 2 as b;", None])

    def read_line(*, continued):
        line = next(lines)
        if line is KeyboardInterrupt:
            raise KeyboardInterrupt
        return line

    with duckdb.connect() as con:
        _prompt(con, "csv", read_line)

    assert capsys.readouterr().out.splitlines() == ["b", "2"]


def test_sql_prompt_on_terminal(store_path, tmp_path):
    _store_with_rows(store_path)
    sqlrec_bin = Path(sys.executable).with_name("sqlrec")
    environment = {**os.environ, "HOME": str(tmp_path), "TERM": "dumb"}
    arguments = [str(sqlrec_bin), "--store", str(store_path), "sql", "--format", "csv"]
    pid, terminal = _spawn_on_terminal(arguments, environment)
    try:
        _read_until(terminal, "sqlrec> ")
        os.write(terminal, b"select 10 + 1 as dropped\r")
        _read_until(terminal, "...> ")
        _interrupt_until_prompt(terminal)
        os.write(terminal, b"select 20 + 2 as kept;\r")
        after = _read_until(terminal, "sqlrec> ")
        os.write(terminal, b".quit\r")
        _read_until(terminal, None)
    finally:
        status = _wait_or_kill(pid)
        os.close(terminal)

    assert os.waitstatus_to_exitcode(status) == 0
    assert "kept\r\n22" in after
    assert "11" not in after
    assert (tmp_path / ".sqlrec_history").is_file()


def _spawn_on_terminal(arguments: list[str], environment: dict[str, str]) -> tuple[int, int]:
    """Start ``arguments`` on a new pseudo-terminal; return its PID and the terminal's fd.

    posix_spawn runs no fork handlers: lancedb's, which pty.fork would run in
    the child before exec, can deadlock. The child opens the terminal after
    setsid, which makes it the controlling terminal, so Ctrl-C sends SIGINT.
    """
    terminal, follower = pty.openpty()
    follower_path = os.ttyname(follower)
    os.close(follower)
    pid = os.posix_spawn(
        arguments[0],
        arguments,
        environment,
        file_actions=[
            (os.POSIX_SPAWN_CLOSE, terminal),
            (os.POSIX_SPAWN_OPEN, 0, follower_path, os.O_RDWR, 0),
            (os.POSIX_SPAWN_DUP2, 0, 1),
            (os.POSIX_SPAWN_DUP2, 0, 2),
        ],
        setsid=True,
        # An ignored SIGINT survives exec, and Python then installs no Ctrl-C
        # handler; some earlier code in the test process can leave it ignored.
        setsigdef=(signal.SIGINT,),
        setsigmask=(),
    )
    return pid, terminal


def _wait_or_kill(pid: int, wait_seconds: float = 10) -> int:
    """Wait for ``pid`` and return its wait status, killing it after ``wait_seconds``.

    A failed read leaves the prompt waiting for input, so a plain waitpid would hang.
    """
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


def _interrupt_until_prompt(terminal: int, attempts: int = 10) -> None:
    """Send Ctrl-C until the prompt comes back, then drain what else arrives.

    On a loaded machine a Ctrl-C sent just as input() started to wait took
    effect only at the next signal or key: the prompt did not come back within
    60 s, in about one run of five. A second Ctrl-C then brings it back.
    """
    for _ in range(attempts):
        os.write(terminal, b"\x03")
        try:
            _read_until(terminal, "sqlrec> ", wait_seconds=5)
        except AssertionError:
            continue
        # A late second Ctrl-C prints one more prompt, which must not be read
        # as the output of the next statement.
        while select.select([terminal], [], [], 0.5)[0]:
            if not os.read(terminal, 4096):
                break
        return
    raise AssertionError(f"no prompt after {attempts} Ctrl-C")


def _read_until(terminal: int, marker: str | None, wait_seconds: float = 60) -> str:
    """Read the terminal until ``marker`` appears, or until it closes when None."""
    output = ""
    while marker is None or marker not in output:
        ready, _, _ = select.select([terminal], [], [], wait_seconds)
        if not ready:
            raise AssertionError(f"no {marker!r} on the terminal; output: {output!r}")
        try:
            chunk = os.read(terminal, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            if marker is None:
                return output
            raise AssertionError(f"terminal closed before {marker!r}: {output!r}")
        output += chunk.decode(errors="replace")
    return output


SPECIAL_VALUES = (
    "select 'nan'::double as nan_value, '-inf'::double as negative_infinity, "
    "interval 2 month + interval 1 day as span, 'a\\xAB'::blob as bytes, "
    "[{'item_id': 1, 'score': 0.5}] as ranked, date '2024-03-01' as day, "
    "1.25::decimal(5, 2) as amount"
)


def test_sql_json_is_valid_json(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec, ["--store", str(store_path), "sql", "--format", "json", SPECIAL_VALUES]
    )

    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout
    assert "Infinity" not in result.stdout
    assert json.loads(result.stdout) == [
        {
            "nan_value": None,
            "negative_infinity": None,
            "span": "2 months 1 day",
            "bytes": "a\\xAB",
            "ranked": [{"item_id": 1, "score": 0.5}],
            "day": "2024-03-01",
            "amount": 1.25,
        }
    ]


def test_sql_csv_nested_as_json(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec, ["--store", str(store_path), "sql", "--format", "csv", SPECIAL_VALUES]
    )

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][2:5] == ["span", "bytes", "ranked"]
    assert rows[1][:3] == ["nan", "-inf", "2 months 1 day"]
    assert rows[1][3] == "a\\xAB"
    assert json.loads(rows[1][4]) == [{"item_id": 1, "score": 0.5}]
    assert rows[1][5:] == ["2024-03-01", "1.25"]


@pytest.mark.parametrize(
    "statement",
    [
        "create temp view v as select 1 as a",
        "create temp table t as select 1 as a",
        "set threads = 1",
        "create temp table t (a int); drop table t",
    ],
)
def test_sql_ddl_prints_nothing(runner, store_path, statement):
    _store_with_rows(store_path)

    result = runner.invoke(sqlrec, ["--store", str(store_path), "sql", statement])

    assert result.exit_code == 0
    assert result.stdout == ""


def test_sql_insert_prints_count(runner, store_path):
    _store_with_rows(store_path)

    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "sql", "--write", "--format", "csv",
         "insert into items values (7), (8)"],
    )

    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["Count", "2"]


@pytest.mark.parametrize("query", ["", "   ", "/* only a comment */"])
def test_sql_empty_query_rejected(runner, store_path, query):
    _store_with_rows(store_path)

    result = runner.invoke(sqlrec, ["--store", str(store_path), "sql", query])

    assert result.exit_code == 1
    assert "empty query" in result.output


def test_sql_other_read_only_error_no_hint(runner, store_path, tmp_path):
    _store_with_rows(store_path)
    missing = tmp_path / "missing.duckdb"

    result = runner.invoke(
        sqlrec, ["--store", str(store_path), "sql", f"attach '{missing}'"]
    )

    assert result.exit_code == 1
    assert "database does not exist" in result.output
    assert "--write" not in result.output
