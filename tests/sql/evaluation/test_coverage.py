"""coverage on the tiny recs table of the metric tests and a nine-item catalogue.

Model ``a`` ranks item 10 above 11 (tied at 0.9, lower id first), lists item 40
twice, and recommends items 42 and 60, which are missing from the catalogue and not
counted. Item 50 of the catalogue is never recommended. Model ``b`` recommends only
item 11.
"""

from __future__ import annotations

import duckdb
import pytest

RECS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "score": "double"}
ITEMS = {"item_id": "bigint"}
EXPECTED = {
    "k": "integer",
    "model": "varchar",
    "covered_item_count": "bigint",
    "item_count": "bigint",
    "value": "double",
}


@pytest.fixture
def tables(load_table):
    load_table("recs", RECS)
    load_table("catalogue", ITEMS)


@pytest.mark.parametrize("k", [1, 2, 10])
def test_coverage_table(con, tables, expected, k):
    rows = [row[1:] for row in expected("expected_coverage", EXPECTED) if row[0] == k]

    result = con.execute(
        f"select * from coverage('recs', 'catalogue', k := {k})"
    ).fetchall()

    assert [row[:3] for row in result] == [row[:3] for row in rows]
    assert [row[3] for row in result] == pytest.approx([row[3] for row in rows])


def test_coverage_default_k_is_10(con, tables):
    default = con.execute("select * from coverage('recs', 'catalogue')").fetchall()

    explicit = con.execute(
        "select * from coverage('recs', 'catalogue', k := 10)"
    ).fetchall()

    assert default == explicit


def test_coverage_empty_catalogue_is_null(con, tables):
    con.execute("create table no_items (item_id bigint)")

    rows = con.execute(
        "select model, value from coverage('recs', 'no_items')"
    ).fetchall()

    assert rows == [("a", None), ("b", None)]


@pytest.mark.parametrize("k", ["0", "-1", "2.5", "null"])
def test_coverage_bad_k_names_macro(con, tables, k):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(f"select * from coverage('recs', 'catalogue', k := {k})").fetchall()

    assert f"coverage: invalid k: {k}, expected a positive integer" in str(caught.value)
