"""Column mapping: input columns with other names fill the fixed catalog columns."""

from __future__ import annotations

import datetime

import pytest

from engine.errors import IngestError
from engine.ingest import ingest_files

MAPPING = {
    "interactions": {
        "user_id": "uid",
        "item_id": "movie",
        "timestamp": "ts",
        "weight": "rating",
        "device": "platform",
    },
    "items": {"item_id": "movie"},
    "users": {"user_id": "uid"},
}


def test_mapped_columns_loaded(store, query, write):
    clicks = write("clicks.csv", "uid,movie,ts,rating,platform\n7,3,881250949,4,tv\n")
    items = write("items.csv", "movie,title\n3,Heat\n")
    users = write("users.csv", "uid,age\n7,30\n")

    report = ingest_files(store, clicks, items=items, users=users, columns=MAPPING)

    assert report.loaded == {"items": 1, "users": 1, "interactions": 1}
    assert query("select * from interactions") == [
        (7, 3, datetime.datetime(1997, 12, 4, 15, 55, 49), 4.0, "tv")
    ]
    assert query("select item_id, title from items") == [(3, "Heat")]
    assert query("select user_id, age from users") == [(7, 30)]


def test_mapped_column_reasons_use_catalog_names(store, query, write):
    clicks = write(
        "clicks.csv", "uid,movie,ts,rating,platform\nx,3,881250949,1,tv\n7,3,1,1,tv\n"
    )
    items = write("items.csv", "movie,title\n3,Heat\n")

    ingest_files(store, clicks, items=items, columns=MAPPING)

    assert query("select line, reason from rejects") == [(2, "invalid user_id")]


def test_unmapped_optional_columns_absent(store, query, write):
    clicks = write("clicks.csv", "uid,movie,ts\n7,3,881250949\n")
    items = write("items.csv", "item_id,title\n3,Heat\n")
    columns = {
        "interactions": {"user_id": "uid", "item_id": "movie", "timestamp": "ts"}
    }

    ingest_files(store, clicks, items=items, columns=columns)

    assert query("select weight, device from interactions") == [(1.0, None)]


def test_mapped_id_beside_item_id_column(store, write):
    items = write("items.csv", "movie,item_id,title\n3,30,Heat\n")

    with pytest.raises(IngestError, match="duplicate column: item_id in .*movie fills"):
        ingest_files(store, items=items, columns={"items": {"item_id": "movie"}})


def test_mapped_interaction_column_not_ignored(store, write):
    clicks = write("clicks.csv", "uid,item_id,timestamp,user_id\n7,3,881250949,1\n")
    items = write("items.csv", "item_id\n3\n")

    report = ingest_files(
        store, clicks, items=items, columns={"interactions": {"user_id": "uid"}}
    )

    assert report.ignored_columns == {"interactions": ["user_id"]}
