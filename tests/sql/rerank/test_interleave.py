"""interleave on the rerank catalogue, constraining runs of one channel.

Model ``a``: user 1's list starts with three items of channel x, then y, NULL, x, y.
User 2's best item (99) is missing from the catalogue, so its channel is NULL, and
the rest are all x, so the rule must give way at the end. User 3 ties items 1 and 2,
both x. User 4 has NULL, NULL, y: NULLs never extend a run. Model ``b`` lists two x
items.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

DATA = Path(__file__).parent / "data"
RECS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "score": "double"}
ITEMS = {"item_id": "bigint", "franchise": "varchar", "channel": "varchar"}
EXPECTED = {
    "max_run": "integer",
    "k": "integer",
    "model": "varchar",
    "user_id": "bigint",
    "item_id": "bigint",
    "score": "double",
    "rank": "bigint",
}


@pytest.fixture
def tables(load_table):
    load_table("recs", RECS, DATA)
    load_table("items", ITEMS, DATA)


@pytest.mark.parametrize(("max_run", "k"), [(2, 10), (1, 10), (1, 3)])
def test_interleave_table(con, tables, expected, max_run, k):
    rows = [
        row[2:]
        for row in expected("expected_interleave", EXPECTED, DATA)
        if row[:2] == (max_run, k)
    ]

    result = con.execute(
        "select * from interleave('recs', 'items', key := 'channel', "
        f"max_run := {max_run}, k := {k})"
    ).fetchall()

    assert result == rows


def test_interleave_defaults(con, tables):
    default = con.execute("select * from interleave('recs', 'items')").fetchall()

    explicit = con.execute(
        "select * from interleave('recs', 'items', key := 'channel', max_run := 2, "
        "k := 10)"
    ).fetchall()

    assert default == explicit


def test_interleave_keeps_every_item(con, tables):
    counts = con.execute(
        "select model, user_id, count(*) "
        "from interleave('recs', 'items', max_run := 1) "
        "group by all order by all"
    ).fetchall()

    assert counts == [("a", 1, 7), ("a", 2, 3), ("a", 3, 2), ("a", 4, 3), ("b", 1, 2)]


def test_interleave_empty_recs(con, tables):
    con.execute(
        "create table no_recs (model varchar, user_id int, item_id int, score double)"
    )

    rows = con.execute("select * from interleave('no_recs', 'items')").fetchall()

    assert rows == []


def test_interleave_bad_key_names_macro(con, tables):
    with pytest.raises(
        duckdb.InvalidInputException, match="interleave: invalid key: 'studio'"
    ):
        con.execute(
            "select * from interleave('recs', 'items', key := 'studio')"
        ).fetchall()


@pytest.mark.parametrize("value", ["0", "2.5", "null"])
def test_interleave_bad_max_run(con, tables, value):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            f"select * from interleave('recs', 'items', max_run := {value})"
        ).fetchall()

    assert f"interleave: invalid max_run: {value}, expected a positive integer" in str(
        caught.value
    )


def test_interleave_bad_k_names_macro(con, tables):
    with pytest.raises(duckdb.InvalidInputException, match="interleave: invalid k: 0"):
        con.execute("select * from interleave('recs', 'items', k := 0)").fetchall()


def test_interleave_null_key(con, tables):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute("select * from interleave('recs', 'items', key := null)").fetchall()

    assert "interleave: invalid key: null, expected one of item_id" in str(caught.value)
