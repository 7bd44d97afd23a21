"""Ingesting into a loaded store: upsert of items and users, appended interactions."""

from __future__ import annotations

import pytest

from engine.errors import IngestError
from engine.ingest import ingest_files

ITEMS = (
    "item_id,title,genres,year\n1,Toy,Animation|Comedy,1995\n2,Heat,Action|Crime,1995\n"
)
CLICKS = "user_id,item_id,timestamp\n1,1,881250949\n2,2,881250950\n"


@pytest.fixture
def loaded(store, write):
    """A store holding two items, two users and two interactions."""
    ingest_files(store, write("clicks.csv", CLICKS), items=write("items.csv", ITEMS))
    return store


def test_reingest_items_upserted(loaded, query, write):
    items = write("items2.csv", "item_id,title\n1,Toy Story\n3,Up\n")

    report = ingest_files(loaded, items=items)

    assert report.loaded["items"] == 2
    assert report.updated["items"] == 1
    assert query("select item_id, title, year from items order by item_id") == [
        (1, "Toy Story", 1995),
        (2, "Heat", 1995),
        (3, "Up", None),
    ]


def test_reingest_id_only_file(loaded, query, write):
    report = ingest_files(loaded, items=write("ids.csv", "item_id\n1\n5\n"))

    assert report.loaded["items"] == 2
    assert report.updated["items"] == 1
    assert query("select item_id, title from items order by item_id") == [
        (1, "Toy"),
        (2, "Heat"),
        (5, None),
    ]


def test_reingest_new_column_added(loaded, query, column_types, write):
    items = write("items2.csv", "item_id,channel\n2,adult\n")

    ingest_files(loaded, items=items)

    assert column_types("items")["channel"] == "VARCHAR"
    assert query("select item_id, channel from items order by item_id") == [
        (1, None),
        (2, "adult"),
    ]


def test_reingest_list_column_single_value(loaded, query, write):
    # No value contains "|", but the stored column is a list, so values split.
    items = write("items2.csv", "item_id,genres\n1,Drama\n")

    ingest_files(loaded, items=items)

    assert query("select genres from items where item_id = 1") == [(["Drama"],)]


def test_reingest_value_of_wrong_type(loaded, query, write):
    items = write("items2.csv", "item_id,year\n1,1996\n2,unknown\n")

    report = ingest_files(loaded, items=items)

    assert report.reasons["items"] == {"invalid year": 1}
    assert query("select line, reason, raw from rejects") == [
        (3, "invalid year", "2,unknown")
    ]
    assert query("select item_id, year from items order by 1") == [(1, 1996), (2, 1995)]


def test_reingest_duplicate_interactions_rejected(loaded, query, write):
    clicks = write(
        "clicks2.csv", "user_id,item_id,timestamp\n1,1,881250949\n1,2,881250951\n"
    )

    report = ingest_files(loaded, clicks)

    assert report.loaded["interactions"] == 1
    assert query("select source, line, reason from rejects") == [
        (str(clicks), 2, "duplicate interaction")
    ]
    assert query("select count(*) from interactions") == [(3,)]


def test_reingest_same_instant_other_format(loaded, write):
    # 881250949 is 1997-12-04 15:55:49 UTC, so this ISO text repeats the first row.
    lines = "user_id,item_id,timestamp\n1,1,1997-12-04T16:55:49+01:00\n1,2,881250951\n"
    clicks = write("clicks2.csv", lines)

    report = ingest_files(loaded, clicks)

    assert report.reasons["interactions"] == {"duplicate interaction": 1}


def test_reingest_users_upserted(loaded, query, write):
    users = write("users.csv", "user_id,age\n1,24\n3,40\n")

    report = ingest_files(loaded, users=users)

    assert report.updated["users"] == 1
    assert query("select user_id, age from users order by user_id") == [
        (1, 24),
        (2, None),
        (3, 40),
    ]


def test_reingest_same_file_fails(loaded, query, write):
    clicks = write("clicks.csv", CLICKS)

    with pytest.raises(IngestError, match="every interaction is already in the store"):
        ingest_files(loaded, clicks)

    assert query("select count(*) from rejects") == [(0,)]
