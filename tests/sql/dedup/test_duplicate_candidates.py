"""duplicate_candidates on sixteen hand-made items; the cases are documented per pair.

Items 1 and 2 differ in article order, 6 and 7 by an apostrophe, 13 and 14 by case
and an accent: equal normalised titles, score 1. Item 3 is item 1 in another year.
Item 4 is item 1's second part, so its numbers differ, and item 5 is item 4 with a
running time 4 minutes longer. Items 8, 9 and 12 are 'Salt Road', 'Salt Roads' and
'Salt Road' with a NULL running time; 15 and 16 add an "s" too (Jaro-Winkler 0.98
and 0.989). Item 10 has a NULL title and 11 a NULL year, so neither pairs.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

DATA = Path(__file__).parent / "data"
ITEMS = {
    "item_id": "bigint",
    "title": "varchar",
    "year": "integer",
    "running_time": "integer",
}
EXPECTED = {
    "threshold": "double",
    "running_time_tolerance": "double",
    "item_id": "bigint",
    "duplicate_item_id": "bigint",
    "score": "double",
    "title": "varchar",
    "duplicate_title": "varchar",
}
CASES = [(0.95, 2), (0.99, 2), (0.95, None)]


@pytest.fixture
def tables(load_table):
    load_table("items", ITEMS, DATA)


@pytest.mark.parametrize(("threshold", "tolerance"), CASES)
def test_duplicate_candidates_table(con, tables, expected, threshold, tolerance):
    rows = [
        row[2:]
        for row in expected("expected_duplicate_candidates", EXPECTED, DATA)
        if row[:2] == (threshold, tolerance)
    ]

    result = con.execute(
        "select * from duplicate_candidates('items', threshold := ?, "
        "running_time_tolerance := ?)",
        [threshold, tolerance],
    ).fetchall()

    assert [row[:2] for row in result] == [row[:2] for row in rows]
    assert [row[2] for row in result] == pytest.approx([row[2] for row in rows])
    assert [row[3:] for row in result] == [row[3:] for row in rows]


def test_duplicate_candidates_defaults(con, tables):
    default = con.execute("select * from duplicate_candidates('items')").fetchall()

    explicit = con.execute(
        "select * from duplicate_candidates('items', threshold := 0.95, "
        "running_time_tolerance := 2)"
    ).fetchall()

    assert default == explicit


def test_duplicate_candidates_lower_id_first(con, tables):
    pairs = con.execute(
        "select count(*) from duplicate_candidates('items', threshold := 0) "
        "where item_id >= duplicate_item_id"
    ).fetchall()

    assert pairs == [(0,)]


def test_duplicate_candidates_without_running_time(con):
    con.execute(
        "create table films as select * from (values "
        "(1, 'Chasing Amy (1997)', 1997), (2, 'Chasing Amy (1997)', 1997), "
        "(3, 'Chasing Amy 2 (1997)', 1997)) as t(item_id, title, year)"
    )

    pairs = con.execute(
        "select item_id, duplicate_item_id from duplicate_candidates('films', "
        "running_time_tolerance := null)"
    ).fetchall()

    assert pairs == [(1, 2)]


def test_duplicate_candidates_missing_running_time_names_fix(con):
    con.execute("create table films as select 1 as item_id, 'A' as title, 1997 as year")

    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute("select * from duplicate_candidates('films')").fetchall()

    assert (
        "duplicate_candidates: invalid running_time_tolerance: 2, items has no "
        "running_time column (pass running_time_tolerance := null)"
    ) in str(caught.value)


@pytest.mark.parametrize("threshold", ["-0.1", "1.5", "null"])
def test_duplicate_candidates_bad_threshold(con, tables, threshold):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            f"select * from duplicate_candidates('items', threshold := {threshold})"
        ).fetchall()

    assert (
        f"duplicate_candidates: invalid threshold: {threshold}, "
        "expected a number from 0 to 1"
    ) in str(caught.value)


def test_duplicate_candidates_bad_tolerance(con, tables):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            "select * from duplicate_candidates('items', running_time_tolerance := -1)"
        ).fetchall()

    assert "duplicate_candidates: invalid running_time_tolerance: -1" in str(
        caught.value
    )
