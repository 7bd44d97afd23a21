"""candidates on a tiny table; the cases are documented per user.

Model ``a``: user 1 has seen item 11, which drops out, so 12 and 13 move up. User 2
has items 20 and 21 tied at 0.5, so the lower id ranks first. User 3's item 99 is
missing from the catalogue. User 4 lists item 40 twice, kept once at its higher
score. User 5 has a NULL score, ranked last, and a NULL item, dropped. User 6 has
seen every item of the list and gets no row. User 7 has not seen item 11, which
user 1 has. Model ``b`` loses item 11 for user 1 as model ``a`` does.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

DATA = Path(__file__).parent / "data"
RECS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "score": "double"}
PAIRS = {"user_id": "bigint", "item_id": "bigint"}
ITEMS = {"item_id": "bigint"}
EXPECTED = {
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
    load_table("seen", PAIRS, DATA)
    load_table("items", ITEMS, DATA)


@pytest.mark.parametrize("k", [1, 2, 100])
def test_candidates_table(con, tables, expected, k):
    rows = [
        row[1:]
        for row in expected("expected_candidates", EXPECTED, DATA)
        if row[0] == k
    ]

    result = con.execute(
        f"select * from candidates('recs', 'seen', 'items', k := {k})"
    ).fetchall()

    assert result == rows


def test_candidates_default_k_is_100(con, tables):
    default = con.execute(
        "select * from candidates('recs', 'seen', 'items')"
    ).fetchall()

    explicit = con.execute(
        "select * from candidates('recs', 'seen', 'items', k := 100)"
    ).fetchall()

    assert default == explicit


def test_candidates_seen_only_for_that_user(con, tables):
    users = con.execute(
        "select user_id from candidates('recs', 'seen', 'items') where item_id = 11"
    ).fetchall()

    assert users == [(7,)]


def test_candidates_columns(con, tables):
    columns = [
        d[0]
        for d in con.execute(
            "select * from candidates('recs', 'seen', 'items')"
        ).description
    ]

    assert columns == ["model", "user_id", "item_id", "score", "rank"]


@pytest.mark.parametrize("k", ["0", "-1", "2.5", "null"])
def test_candidates_bad_k_names_macro(con, tables, k):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            f"select * from candidates('recs', 'seen', 'items', k := {k})"
        ).fetchall()

    assert f"candidates: invalid k: {k}, expected a positive integer" in str(
        caught.value
    )


def test_candidates_bad_k_on_empty_tables(con):
    con.execute(
        "create table no_recs (model varchar, user_id int, item_id int, score double)"
    )
    con.execute("create table no_items (item_id int)")

    with pytest.raises(duckdb.InvalidInputException, match="candidates: invalid k: 0"):
        con.execute(
            "select * from candidates('no_recs', 'no_recs', 'no_items', k := 0)"
        ).fetchall()
