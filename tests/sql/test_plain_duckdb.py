"""The printed macro script loads into a plain DuckDB session, without sqlrec.

The Python package is always tested. The DuckDB shell is tested when a ``duckdb``
binary is on PATH or named by SQLREC_DUCKDB_CLI, for example one installed with
``pip install duckdb-cli``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import duckdb
import pytest

from cli import sqlrec
from engine._macros import macro_files

MACROS = sorted(
    name.rsplit("/", 1)[1].removesuffix(".sql") for name, _ in macro_files()
)
# Each statement returns one row and column, so the shell tests compare its CSV text.
CHECKS = {
    "candidates": "select count(*) from candidates('recs', 'seen', 'items', k := 1)",
    "coverage": "select covered_item_count from coverage('recs', 'items', k := 2)",
    "diversify": "select count(*) from diversify('recs', 'items', key := 'franchise')",
    "interleave": "select string_agg(item_id::varchar, ' ' order by rank) "
    "from interleave('recs', 'items', key := 'franchise', max_run := 1)",
    "ltr_labels": "select sum(label) from ltr_labels('impressions')",
    "duplicate_candidates": "select count(*) from duplicate_candidates('items')",
}
EXPECTED = {
    "candidates": "1",
    "coverage": "2",
    "diversify": "2",
    "interleave": "1 3 2",
    "ltr_labels": "1",
    "duplicate_candidates": "1",
}
TABLES = """
create table items as select * from (values
    (1, 'Salt Road', 1990, 80, 'A'), (2, 'Salt Road!', 1990, 81, 'A'),
    (3, 'The Puddle', 2020, 15, 'B')
) as t(item_id, title, year, running_time, franchise);
create table recs as select * from (values
    ('a', 1, 1, 0.9), ('a', 1, 2, 0.8), ('a', 1, 3, 0.7)
) as t(model, user_id, item_id, score);
create table seen as select 1 as user_id, 1 as item_id;
create table impressions as select * from (values
    (1, 1, 1, 1, false), (1, 1, 2, 2, true), (1, 1, 3, 3, false)
) as t(stripe_id, user_id, item_id, position, clicked);
"""


@pytest.fixture
def script(runner, tmp_path):
    printed = runner.invoke(sqlrec, ["sql", "--print-macros"])
    path = tmp_path / "macros.sql"
    path.write_text(printed.output)
    return path


def _defined(con) -> list[str]:
    rows = con.execute(
        "select distinct function_name from duckdb_functions() "
        "where function_type in ('macro', 'table_macro') and function_name = any(?)",
        [MACROS],
    ).fetchall()
    return sorted(name for (name,) in rows)


def test_plain_duckdb_defines_every_macro(script):
    con = duckdb.connect()
    con.execute(script.read_text())

    assert _defined(con) == MACROS


@pytest.mark.parametrize("macro", sorted(CHECKS))
def test_plain_duckdb_runs_macro(script, macro):
    con = duckdb.connect()
    con.execute(script.read_text())
    con.execute(TABLES)

    value = con.execute(CHECKS[macro]).fetchall()[0][0]

    assert str(value) == EXPECTED[macro]


def test_plain_duckdb_reads_demo_catalog(script, demo_store):
    con = duckdb.connect(str(demo_store / "catalog.duckdb"), read_only=True)
    con.execute(script.read_text())

    rows = con.execute(
        "select count(*) "
        "from candidates('recommendations', 'interactions', 'items', k := 5)"
    ).fetchall()
    functions = con.execute(
        "select count(*) from duckdb_functions() where function_name = 'recommend'"
    ).fetchall()
    model_count = con.execute("select count(distinct model) from recommendations").fetchone()[0]
    con.close()

    assert rows == [(model_count * 5 * 150,)]
    assert functions == [(0,)]


def _shell() -> str:
    binary = os.environ.get("SQLREC_DUCKDB_CLI") or shutil.which("duckdb")
    if binary is None:
        pytest.skip("no duckdb shell on PATH (install one with pip install duckdb-cli)")
    return binary


def _shell_run(binary, script, statement, database=None):
    # A catalog opens read-only, so the shell leaves it unchanged and unlocked.
    target = ["-readonly", database] if database else [":memory:"]
    completed = subprocess.run(
        [
            binary,
            "-csv",
            "-noheader",
            *target,
            "-c",
            f".read {script}",
            "-c",
            statement,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return completed


@pytest.mark.parametrize("macro", sorted(CHECKS))
def test_duckdb_shell_runs_macro(script, macro):
    binary = _shell()

    completed = _shell_run(binary, script, TABLES + CHECKS[macro] + ";")

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == EXPECTED[macro]


def test_duckdb_shell_reads_demo_catalog(script, demo_store):
    binary = _shell()
    version = subprocess.run(
        [binary, "--version"], capture_output=True, text=True
    ).stdout
    shell_release = re.match(r"v(\d+)\.(\d+)", version)
    if not shell_release or tuple(map(int, shell_release.groups())) < (1, 5):
        pytest.skip(
            f"the duckdb shell ({version.strip()}) is older than 1.5, the storage "
            "format of sqlrec catalogs"
        )
    with duckdb.connect(str(demo_store / "catalog.duckdb"), read_only=True) as con:
        [(model_count,)] = con.execute(
            "select count(distinct model) from recommendations"
        ).fetchall()

    completed = _shell_run(
        binary,
        script,
        "select count(*) from coverage('recommendations', 'items');",
        database=str(demo_store / "catalog.duckdb"),
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == str(model_count)
    assert model_count == 7
