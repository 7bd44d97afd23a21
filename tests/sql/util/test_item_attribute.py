"""_item_attribute reads one column of items by name, as text."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture
def items(con):
    con.execute(
        "create table items as select * from (values "
        "(1, 'Salt Road', 1995, ['Drama', 'War'], true), "
        "(2, null, null, null, null)"
        ") as t(item_id, title, year, genres, christmas)"
    )


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("title", [(1, "Salt Road"), (2, None)]),
        ("year", [(1, "1995"), (2, None)]),
        ("genres", [(1, '["Drama","War"]'), (2, None)]),
        ("christmas", [(1, "true"), (2, None)]),
    ],
)
def test_item_attribute_column(con, items, column, values):
    rows = con.execute(
        "select * from _item_attribute('items', 'diversify', 'key', ?) "
        "order by item_id",
        [column],
    ).fetchall()

    assert rows == values


def test_item_attribute_unknown_column(con, items):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            "select * from _item_attribute('items', 'diversify', 'key', 'Title')"
        ).fetchall()

    assert (
        "diversify: invalid key: 'Title', "
        "expected one of item_id, title, year, genres, christmas"
    ) in str(caught.value)


def test_item_attribute_null_column(con, items):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            "select * from _item_attribute('items', 'diversify', 'key', null)"
        ).fetchall()

    assert "diversify: invalid key: null, expected one of item_id" in str(caught.value)
