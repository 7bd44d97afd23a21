"""diversify on a seven-item catalogue with franchises A and B and NULL franchises.

Model ``a``: user 1's list alternates franchises, with NULLs at items 4 and 5. User
2's best item (99) is missing from the catalogue, so its key is NULL. User 3 ties
items 1 and 2 (both A), so item 1 is kept. User 4 has only NULL keys. Model ``b``
lists item 1 twice for user 1, counted once at its higher score.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

DATA = Path(__file__).parent / "data"
RECS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "score": "double"}
ITEMS = {"item_id": "bigint", "franchise": "varchar", "channel": "varchar"}
EXPECTED = {
    "max_per_key": "integer",
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


@pytest.mark.parametrize(("max_per_key", "k"), [(1, 10), (2, 10), (1, 2)])
def test_diversify_table(con, tables, expected, max_per_key, k):
    rows = [
        row[2:]
        for row in expected("expected_diversify", EXPECTED, DATA)
        if row[:2] == (max_per_key, k)
    ]

    result = con.execute(
        "select * from diversify('recs', 'items', key := 'franchise', "
        f"max_per_key := {max_per_key}, k := {k})"
    ).fetchall()

    assert result == rows


def test_diversify_defaults(con, tables):
    default = con.execute("select * from diversify('recs', 'items')").fetchall()

    explicit = con.execute(
        "select * from diversify('recs', 'items', key := 'franchise', "
        "max_per_key := 1, k := 10)"
    ).fetchall()

    assert default == explicit


def test_diversify_other_key(con, tables):
    items = con.execute(
        "select item_id from diversify('recs', 'items', key := 'channel') "
        "where model = 'a' and user_id = 1"
    ).fetchall()

    assert items == [(1,), (4,), (5,)]


def test_diversify_null_keys_unconstrained(con, tables):
    items = con.execute(
        "select item_id from diversify('recs', 'items') "
        "where model = 'a' and user_id = 4"
    ).fetchall()

    assert items == [(5,), (99,), (4,)]


def test_diversify_bad_key_names_macro(con, tables):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            "select * from diversify('recs', 'items', key := 'studio')"
        ).fetchall()

    assert (
        "diversify: invalid key: 'studio', expected one of item_id, franchise, channel"
        in str(caught.value)
    )


def test_diversify_bad_key_on_empty_items(con, tables):
    con.execute("create table no_items (item_id bigint, franchise varchar)")

    with pytest.raises(
        duckdb.InvalidInputException, match="diversify: invalid key: 'studio'"
    ):
        con.execute(
            "select * from diversify('recs', 'no_items', key := 'studio')"
        ).fetchall()


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "null"])
def test_diversify_bad_max_per_key(con, tables, value):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            f"select * from diversify('recs', 'items', max_per_key := {value})"
        ).fetchall()

    assert (
        f"diversify: invalid max_per_key: {value}, expected a positive integer"
        in str(caught.value)
    )


@pytest.mark.parametrize("k", ["0", "null"])
def test_diversify_bad_k_names_macro(con, tables, k):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(f"select * from diversify('recs', 'items', k := {k})").fetchall()

    assert f"diversify: invalid k: {k}, expected a positive integer" in str(
        caught.value
    )


def test_diversify_null_key(con, tables):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute("select * from diversify('recs', 'items', key := null)").fetchall()

    assert "diversify: invalid key: null, expected one of item_id" in str(caught.value)
