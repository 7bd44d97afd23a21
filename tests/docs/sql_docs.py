"""Run the ```sql blocks of docs/SQL.md and render their output as the page shows it.

Each ```sql block is followed by a ```text block with the output of its last
statement, as `sqlrec sql` prints it: an aligned table and the row count. Outputs
longer than MAX_SHOWN_ROWS rows show their first SHOWN_HEAD_ROWS rows and "...".

To rewrite the outputs of the page from a real run, build the store with the
command the page names, then run this file on it:

    sqlrec --store docs.sqlrec demo --users 150 --items 300
    .venv/bin/python tests/docs/sql_docs.py docs.sqlrec
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "SQL.md"
BLOCK = re.compile(r"```sql\n(?P<sql>.*?)```\n\n```text\n(?P<output>.*?)```", re.DOTALL)
MAX_SHOWN_ROWS = 12
SHOWN_HEAD_ROWS = 6

#: The arguments of ``sqlrec demo`` that build the store the page shows.
DEMO_ARGUMENTS = ["demo", "--users", "150", "--items", "300"]


@dataclass
class BlockResult:
    """Output of one block: the rendered text, or the error of its failing statement."""

    output: str | None
    error: str | None


def sql_blocks(text: str) -> list[tuple[str, str]]:
    """Return ``(sql, shown_output)`` for every block of the page, in order."""
    return [(m.group("sql"), m.group("output")) for m in BLOCK.finditer(text)]


def run_blocks(store_path: Path, blocks: list[str]) -> list[BlockResult]:
    """Run ``blocks`` in order in one session on the store, as an analyst would.

    A failing block is recorded and the next ones still run.
    """
    import engine

    results = []
    with engine.open(store_path).connect() as con:
        for sql in blocks:
            try:
                results.append(BlockResult(_run_block(con, sql), None))
            except duckdb.Error as exc:
                results.append(BlockResult(None, str(exc)))
    return results


def _run_block(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    from cli._output import fetch

    relation = None
    for statement in con.extract_statements(sql):
        relation = con.sql(statement.query)
    columns, rows = fetch(relation)
    return render(columns, rows)


def render(columns: list[str], rows: list[tuple]) -> str:
    """Render rows as the page shows them, ending with a newline."""
    from cli._table import render_table

    shown = rows if len(rows) <= MAX_SHOWN_ROWS else rows[:SHOWN_HEAD_ROWS]
    lines = render_table(columns, shown).splitlines()
    if len(shown) < len(rows):
        lines.append("...")
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines) + "\n"


def rewrite_outputs(text: str, outputs: list[str]) -> str:
    """Return the page ``text`` with each block's output replaced by ``outputs``."""
    replacements = iter(outputs)

    def replace(match: re.Match) -> str:
        return f"```sql\n{match.group('sql')}```\n\n```text\n{next(replacements)}```"

    return BLOCK.sub(replace, text)


def main(store_path: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    results = run_blocks(Path(store_path), [sql for sql, _ in sql_blocks(text)])
    failed = [(n, r.error) for n, r in enumerate(results) if r.error is not None]
    if failed:
        sys.exit(f"blocks failed, page unchanged: {failed}")
    DOC.write_text(rewrite_outputs(text, [r.output for r in results]), encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main(sys.argv[1])
