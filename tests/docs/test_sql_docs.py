"""Every ```sql block of docs/SQL.md runs on a small demo store.

The blocks run in order in one session, as an analyst would paste them, so later
blocks may use the temporary tables of earlier ones. Each block is followed by a
```text block with the output the page shows. Its header line names the columns that
the block's last statement must return, and that statement must return rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import engine
from cli import sqlrec

DOC = Path(__file__).resolve().parents[2] / "docs" / "SQL.md"
BLOCK = re.compile(r"```sql\n(?P<sql>.*?)```\n\n```text\n(?P<output>.*?)```", re.DOTALL)


def _blocks() -> list[tuple[str, list[str]]]:
    """Return each SQL block with the column names of the output shown after it."""
    blocks = []
    for match in BLOCK.finditer(DOC.read_text(encoding="utf-8")):
        header = match.group("output").splitlines()[0]
        blocks.append((match.group("sql"), re.split(r"\s{2,}", header.strip())))
    return blocks


BLOCKS = _blocks()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("docs") / "demo.sqlrec"
    result = CliRunner().invoke(
        sqlrec,
        [
            "--store",
            str(path),
            "demo",
            "--users",
            "150",
            "--items",
            "300",
            "--epochs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def results(demo_store):
    """Run every block in one session; map its number to (columns, row count, error).

    A failing block is recorded and the next ones still run, so that each test
    reports its own block.
    """
    outcomes = {}
    with engine.open(demo_store).connect() as con:
        for number, (sql, _) in enumerate(BLOCKS):
            try:
                for statement in con.extract_statements(sql):
                    result = con.execute(statement)
                columns = [d[0] for d in result.description or []]
                outcomes[number] = (columns, len(result.fetchall()), None)
            except duckdb.Error as exc:
                outcomes[number] = ([], 0, str(exc))
    return outcomes


def test_sql_docs_have_blocks():
    sql_block_count = DOC.read_text(encoding="utf-8").count("```sql\n")

    assert len(BLOCKS) == sql_block_count
    assert len(BLOCKS) >= 20


@pytest.mark.parametrize(
    ("number", "columns"),
    [(number, columns) for number, (_, columns) in enumerate(BLOCKS)],
    ids=[f"block{number:02d}" for number in range(len(BLOCKS))],
)
def test_sql_docs_block_runs(results, number, columns):
    found, row_count, error = results[number]

    assert error is None
    assert found == columns
    assert row_count > 0


def test_sql_docs_name_every_macro_and_function():
    from engine._macros import macro_files
    from engine.sqlfunctions import FUNCTION_NAMES, ITEM_VECTORS_VIEW

    text = DOC.read_text(encoding="utf-8")
    names = [name.rsplit("/", 1)[1].removesuffix(".sql") for name, _ in macro_files()]
    public = [name for name in names if not name.startswith("_")]
    sql = "\n".join(sql for sql, _ in BLOCKS)

    assert [name for name in names if f"`{name}" not in text] == []
    assert [name for name in public if f"{name}(" not in sql] == []
    assert [name for name in FUNCTION_NAMES if f"{name}(" not in sql] == []
    assert ITEM_VECTORS_VIEW in sql
