"""CSV and TSV ingest: typing of metadata columns, lists, timestamps, quoting."""

from __future__ import annotations

import datetime

from engine.ingest import ingest_files

ITEMS = (
    "item_id,title,genres,year,price,christmas,released,code\n"
    "1,Toy,Animation|Comedy,1995,9.5,false,1995-01-01,007\n"
    '2,"Heat, The",Action,1995,10,TRUE,1995-12-15,12\n'
    "3,Unknown,,,,,,\n"
)
CLICKS = (
    "user_id,item_id,timestamp,weight,device\n"
    "1,1,881250949,4,tv\n"
    "1,2,2024-01-01T10:00:00+02:00,,mobile\n"
    "2,3,2024-01-01 10:00:00,0.5,\n"
)


def test_csv_happy_path_counts(store, query, write):
    report = ingest_files(
        store, write("clicks.csv", CLICKS), items=write("items.csv", ITEMS)
    )

    assert report.loaded == {"items": 3, "interactions": 3}
    assert report.rejected == {"items": 0, "interactions": 0}
    assert report.created_users == 2
    assert query("select user_id from users order by user_id") == [(1,), (2,)]


def test_csv_metadata_types_inferred(store, column_types, write):
    ingest_files(store, items=write("items.csv", ITEMS))

    types = column_types("items")

    assert types == {
        "item_id": "BIGINT",
        "title": "VARCHAR",
        "genres": "VARCHAR[]",
        "year": "INTEGER",
        "price": "DOUBLE",
        "christmas": "BOOLEAN",
        "released": "DATE",
        "code": "VARCHAR",
    }


def test_csv_metadata_values(store, query, write):
    ingest_files(store, items=write("items.csv", ITEMS))

    rows = query("select * from items order by item_id")

    assert rows == [
        (
            1,
            "Toy",
            ["Animation", "Comedy"],
            1995,
            9.5,
            False,
            datetime.date(1995, 1, 1),
            "007",
        ),
        (
            2,
            "Heat, The",
            ["Action"],
            1995,
            10.0,
            True,
            datetime.date(1995, 12, 15),
            "12",
        ),
        (3, "Unknown", None, None, None, None, None, None),
    ]


def test_csv_list_column_option(store, query, column_types, write):
    items = write("items.csv", "item_id,actors\n1,Ann Lee\n2,Bo Chan | Cy Dee\n")

    ingest_files(store, items=items, list_columns=["actors"])

    assert column_types("items")["actors"] == "VARCHAR[]"
    assert query("select actors from items order by item_id") == [
        (["Ann Lee"],),
        (["Bo Chan", "Cy Dee"],),
    ]


def test_csv_single_values_stay_text(store, column_types, write):
    ingest_files(
        store, items=write("items.csv", "item_id,actors\n1,Ann Lee\n2,Bo Chan\n")
    )

    assert column_types("items")["actors"] == "VARCHAR"


def test_csv_large_integers_bigint(store, column_types, write):
    ingest_files(store, items=write("items.csv", "item_id,views\n1,5000000000\n2,3\n"))

    assert column_types("items")["views"] == "BIGINT"


def test_csv_timestamps_to_utc(store, query, write):
    ingest_files(store, write("clicks.csv", CLICKS), items=write("items.csv", ITEMS))

    rows = query("select item_id, timestamp from interactions order by item_id")

    assert rows == [
        (1, datetime.datetime(1997, 12, 4, 15, 55, 49)),
        (2, datetime.datetime(2024, 1, 1, 8, 0)),
        (3, datetime.datetime(2024, 1, 1, 10, 0)),
    ]


def test_csv_weight_and_device(store, query, write):
    ingest_files(store, write("clicks.csv", CLICKS), items=write("items.csv", ITEMS))

    rows = query("select item_id, weight, device from interactions order by item_id")

    assert rows == [(1, 4.0, "tv"), (2, 1.0, "mobile"), (3, 0.5, None)]


def test_csv_without_weight_column(store, query, write):
    clicks = write("clicks.csv", "user_id,item_id,timestamp\n1,1,881250949\n")

    ingest_files(store, clicks, items=write("items.csv", ITEMS))

    assert query("select weight, device from interactions") == [(1.0, None)]


def test_csv_unix_seconds_with_fraction(store, query, write):
    clicks = write("clicks.csv", "user_id,item_id,timestamp\n1,1,881250949.25\n")

    ingest_files(store, clicks, items=write("items.csv", ITEMS))

    assert query("select timestamp from interactions") == [
        (datetime.datetime(1997, 12, 4, 15, 55, 49, 250000),)
    ]


def test_csv_extra_columns_reported(store, write):
    clicks = write(
        "clicks.csv", "user_id,item_id,timestamp,session\n1,1,881250949,s1\n"
    )

    report = ingest_files(store, clicks, items=write("items.csv", ITEMS))

    assert report.ignored_columns == {"interactions": ["session"]}
    assert report.to_dict()["tables"]["interactions"]["ignored_columns"] == ["session"]


def test_csv_quoted_multiline_field(store, query, write):
    items = write("items.csv", 'item_id,title\n1,"two\nlines"\n2,plain\n')
    clicks = write(
        "clicks.csv", "user_id,item_id,timestamp\n1,2,881250949\n1,9,881250949\n"
    )

    ingest_files(store, clicks, items=items)

    assert query("select title from items order by item_id") == [
        ("two\nlines",),
        ("plain",),
    ]
    # The line after the two-line row is line 4.
    assert query("select line from rejects") == [(3,)]


def test_csv_byte_order_mark(store, query, write):
    items = write("items.csv", "\ufeffitem_id,title\n1,Toy\n".encode())

    ingest_files(store, items=items)

    assert query("select item_id, title from items") == [(1, "Toy")]


def test_csv_crlf_line_endings(store, query, write):
    items = write("items.csv", b"item_id,title\r\n1,Toy\r\n2,Heat\r\n")

    ingest_files(store, items=items)

    assert query("select title from items order by item_id") == [("Toy",), ("Heat",)]


def test_tsv_file(store, query, write):
    items = write("items.tsv", "item_id\ttitle\n1\tHeat, The\n")

    ingest_files(store, items=items)

    assert query("select title from items") == [("Heat, The",)]


def test_csv_zip_codes_stay_text(store, query, column_types, write):
    users = write("users.csv", "user_id,age,zip\n1,24,01234\n2,30,55414\n")

    ingest_files(store, users=users)

    assert column_types("users") == {
        "user_id": "BIGINT",
        "age": "INTEGER",
        "zip": "VARCHAR",
    }
    assert query("select zip from users order by user_id") == [("01234",), ("55414",)]


def test_csv_new_user_gets_null_columns(store, query, write):
    users = write("users.csv", "user_id,age\n1,24\n")
    clicks = write(
        "clicks.csv", "user_id,item_id,timestamp\n1,1,881250949\n5,1,881250949\n"
    )

    report = ingest_files(store, clicks, items=write("items.csv", ITEMS), users=users)

    assert report.created_users == 1
    assert query("select user_id, age from users order by user_id") == [
        (1, 24),
        (5, None),
    ]
