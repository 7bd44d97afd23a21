"""Parquet files and Arrow tables: types are kept, rows are checked like text rows."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from engine.ingest import ingest_files

UTC = datetime.timezone.utc


def _items() -> pa.Table:
    return pa.table(
        {
            "item_id": pa.array([1, 2, 3], pa.int64()),
            "title": ["Toy", "Heat", "Up"],
            "genres": pa.array([["Animation"], ["Action", "Crime"], None]),
            "year": pa.array([1995, 1995, None], pa.int32()),
            "christmas": [False, True, None],
            "channel": pa.array(["kids", "adult", "kids"]).dictionary_encode(),
        }
    )


def _clicks() -> pa.Table:
    return pa.table(
        {
            "user_id": pa.array([1, 1, 2], pa.int64()),
            "item_id": pa.array([1, 2, 9], pa.int64()),
            "timestamp": pa.array(
                [datetime.datetime(2026, 9, 1, 8, tzinfo=UTC)] * 3,
                pa.timestamp("s", tz="UTC"),
            ),
            "weight": [0.5, 1.0, 2.0],
        }
    )


def _write(table: pa.Table, path: Path) -> Path:
    pq.write_table(table, path)
    return path


def test_parquet_types_kept(store, column_types, tmp_path):
    ingest_files(store, items=_write(_items(), tmp_path / "items.parquet"))

    assert column_types("items") == {
        "item_id": "BIGINT",
        "title": "VARCHAR",
        "genres": "VARCHAR[]",
        "year": "INTEGER",
        "christmas": "BOOLEAN",
        "channel": "VARCHAR",
    }


def test_parquet_list_values_kept(store, query, tmp_path):
    ingest_files(store, items=_write(_items(), tmp_path / "items.parquet"))

    rows = query("select item_id, genres, channel from items order by item_id")

    assert rows == [
        (1, ["Animation"], "kids"),
        (2, ["Action", "Crime"], "adult"),
        (3, None, "kids"),
    ]


def test_parquet_interactions_row_numbers(store, query, tmp_path):
    clicks = _write(_clicks(), tmp_path / "clicks.parquet")

    report = ingest_files(
        store, clicks, items=_write(_items(), tmp_path / "items.parquet")
    )

    assert report.loaded["interactions"] == 2
    (row,) = query("select source, line, reason, raw from rejects")
    assert row[:3] == (str(clicks), 3, "unknown item")
    assert json.loads(row[3]) == {
        "user_id": 2,
        "item_id": 9,
        "timestamp": "2026-09-01 08:00:00+00",
        "weight": 2.0,
    }


def test_parquet_timestamp_with_zone(store, query, tmp_path):
    clicks = _write(_clicks(), tmp_path / "clicks.parquet")

    ingest_files(store, clicks, items=_write(_items(), tmp_path / "items.parquet"))

    assert query("select distinct timestamp from interactions") == [
        (datetime.datetime(2026, 9, 1, 8, 0),)
    ]


def test_parquet_unix_seconds_column(store, query, tmp_path):
    clicks = pa.table({"user_id": [1], "item_id": [1], "timestamp": [881250949]})

    ingest_files(
        store,
        _write(clicks, tmp_path / "clicks.parquet"),
        items=_write(_items(), tmp_path / "items.parquet"),
    )

    assert query("select timestamp from interactions") == [
        (datetime.datetime(1997, 12, 4, 15, 55, 49),)
    ]


def test_parquet_invalid_utf8_row(store, query, tmp_path):
    # Built from raw buffers, because pyarrow validates strings made from Python.
    offsets = pa.py_buffer(pa.array([0, 1, 2, 4], pa.int32()).buffers()[1])
    text = pa.Array.from_buffers(
        pa.string(), 3, [None, offsets, pa.py_buffer(b"ab\xff\xfe")]
    )
    items = pa.table({"item_id": pa.array([1, 2, 3], pa.int64()), "title": text})
    path = _write(items, tmp_path / "items.parquet")

    report = ingest_files(store, items=path)

    assert report.loaded["items"] == 2
    assert report.reasons["items"] == {"invalid encoding": 1}
    assert query("select line, reason from rejects") == [(3, "invalid encoding")]
    assert query("select item_id, title from items order by 1") == [(1, "a"), (2, "b")]


def test_arrow_table_invalid_utf8_row(store, query):
    offsets = pa.py_buffer(pa.array([0, 1, 3], pa.int32()).buffers()[1])
    text = pa.Array.from_buffers(
        pa.string(), 2, [None, offsets, pa.py_buffer(b"a\xc3(")]
    )
    items = pa.table({"item_id": pa.array([1, 2], pa.int64()), "title": text})

    report = ingest_files(store, items=items)

    assert report.loaded["items"] == 1
    assert query("select line, reason from rejects") == [(2, "invalid encoding")]


def test_parquet_float_ids_must_be_whole(store, query, tmp_path):
    items = pa.table({"item_id": [1.0, 2.5]})

    report = ingest_files(store, items=_write(items, tmp_path / "items.parquet"))

    assert report.loaded["items"] == 1
    assert query("select line, reason from rejects") == [(2, "invalid item_id")]


def test_arrow_tables_with_source_names(store, query):
    report = ingest_files(
        store,
        _clicks(),
        items=_items(),
        source_names={"interactions": "generated clicks"},
    )

    assert report.sources == {
        "items": "items table",
        "interactions": "generated clicks",
    }
    assert query("select source, line, reason from rejects") == [
        ("generated clicks", 3, "unknown item")
    ]


def test_arrow_null_column_becomes_text(store, column_types):
    items = pa.table({"item_id": pa.array([1, 2], pa.int64()), "note": pa.nulls(2)})

    ingest_files(store, items=items)

    assert column_types("items")["note"] == "VARCHAR"


def test_arrow_list_column_option_splits_text(store, query):
    items = pa.table(
        {"item_id": pa.array([1, 2], pa.int64()), "actors": ["Ann", "Bo|Cy"]}
    )

    ingest_files(store, items=items, list_columns=["actors"])

    assert query("select actors from items order by item_id") == [
        (["Ann"],),
        (["Bo", "Cy"],),
    ]
