"""The example call in each evaluation and util macro header runs.

The examples name the catalog tables an evaluation writes, so the tiny CSV inputs
of the metric tests stand in for them.
"""

from __future__ import annotations

import re

import pytest

from engine._macros import macro_files

FAMILIES = ("evaluation/", "util/")


def _example(text: str) -> str:
    """Return the statement after ``-- Example:``, joining its continuation lines."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-- Example:"))
    parts = [lines[start].removeprefix("-- Example:").strip()]
    for line in lines[start + 1 :]:
        if not line.startswith("--     "):
            break
        parts.append(line.removeprefix("--").strip())
    return " ".join(part for part in parts if part)


EXAMPLES = [
    (name, _example(text)) for name, text in macro_files() if name.startswith(FAMILIES)
]


@pytest.fixture
def catalog(con, load_table):
    load_table(
        "interactions",
        {"user_id": "bigint", "item_id": "bigint", "timestamp": "timestamp"},
    )
    load_table(
        "recs",
        {
            "model": "varchar",
            "user_id": "bigint",
            "item_id": "bigint",
            "score": "double",
        },
    )
    load_table("truth", {"user_id": "bigint", "item_id": "bigint"})
    load_table(
        "ranks",
        {
            "model": "varchar",
            "user_id": "bigint",
            "item_id": "bigint",
            "rank": "bigint",
        },
    )
    con.execute("create view recommendations as select * from recs")
    con.execute("create view holdout as select * from truth")
    con.execute("create view holdout_ranks as select * from ranks")
    return con


@pytest.mark.parametrize(
    ("name", "statement"), EXAMPLES, ids=[name for name, _ in EXAMPLES]
)
def test_macro_example_runs(catalog, name, statement):
    rows = catalog.execute(statement).fetchall()

    assert re.match(r"^select ", statement)
    assert rows
