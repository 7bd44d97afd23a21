"""Every ```sql block of docs/SQL.md runs on a demo store and prints what the page shows.

The blocks run in order in one session, as an analyst would paste them, so later
blocks may use the temporary tables of earlier ones. The store is built with the
command the page names, and each block's output must equal the ```text block after
it, except in the blocks of VARYING_OUTPUT, whose values change from run to run,
and of MODEL_OUTPUT, whose values change between CPU types.
tests/docs/sql_docs.py rewrites the outputs from a real run.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from cli import sqlrec
from sql_docs import DEMO_ARGUMENTS, DOC, run_blocks, sql_blocks

BLOCKS = sql_blocks(DOC.read_text(encoding="utf-8"))

#: A snippet of each block whose values vary between runs, with the reason. Only
#: the header and the row count of its output are compared.
VARYING_OUTPUT = {
    "recommend(user_id, 10)": "the two-argument form uses the current hour and "
    "weekday, and users come in no set order",
}
#: Snippets of blocks that read what a model learned. With the same torch
#: build, two machines trained two towers that differed in the last digits
#: (most likely other vector instructions), and ranks and metrics followed.
#: These blocks must keep their columns and row count.
MODEL_OUTPUT = (
    "recommendations",
    "holdout_ranks",
    "recommend(",
    "similar_items(",
    "item_embedding(",
    "vector",
    "two_models",
    "candidate_pool",
)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    path = tmp_path_factory.mktemp("docs") / "docs.sqlrec"
    built = CliRunner().invoke(sqlrec, ["--store", str(path), *DEMO_ARGUMENTS])
    assert built.exit_code == 0, built.output
    return run_blocks(path, [sql for sql, _ in BLOCKS])


def test_sql_docs_have_blocks():
    sql_block_count = DOC.read_text(encoding="utf-8").count("```sql\n")

    assert len(BLOCKS) == sql_block_count
    assert len(BLOCKS) >= 20


def test_sql_docs_name_demo_command():
    text = DOC.read_text(encoding="utf-8")

    assert f"sqlrec --store docs.sqlrec {' '.join(DEMO_ARGUMENTS)}" in text


@pytest.mark.parametrize(
    "number", range(len(BLOCKS)), ids=[f"block{number:02d}" for number in range(len(BLOCKS))]
)
def test_sql_docs_block_output(results, number):
    sql, shown = BLOCKS[number]
    result = results[number]

    assert result.error is None
    if any(snippet in sql for snippet in (*VARYING_OUTPUT, *MODEL_OUTPUT)):
        assert _shape(result.output) == _shape(shown)
    else:
        assert result.output == shown


def _shape(output: str) -> tuple[list[str], str]:
    """Return the column names and the row-count line of a rendered output."""
    lines = output.splitlines()
    return re.split(r"\s{2,}", lines[0].strip()), lines[-1]


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
