"""The example call in every macro header runs and returns rows.

The examples name the catalog tables of a store (interactions, items, the tables an
evaluation writes), so tiny CSV inputs stand in for them. These are the inputs of the
metric tests, an eight-item catalogue with one duplicate pair, and the impression
stripes of the label tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine._macros import macro_files

HERE = Path(__file__).parent


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


EXAMPLES = [(name, _example(text)) for name, text in macro_files()]


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
    load_table(
        "items",
        {
            "item_id": "bigint",
            "title": "varchar",
            "year": "integer",
            "running_time": "integer",
            "franchise": "varchar",
            "channel": "varchar",
        },
        HERE / "data",
    )
    load_table(
        "impressions",
        {
            "stripe_id": "bigint",
            "user_id": "bigint",
            "item_id": "bigint",
            "position": "integer",
            "clicked": "boolean",
        },
        HERE / "labels" / "data",
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
