"""Ingest fails only on a missing column or nothing loaded, and then changes nothing."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from engine.errors import IngestError
from engine.ingest import ingest_files

ITEMS = "item_id,title\n1,Toy\n2,Heat\n"
CLICKS = "user_id,item_id,timestamp\n1,1,881250949\n2,2,881250950\n"


def _snapshot(query) -> dict[str, list]:
    return {
        table: query(f"select * from {table} order by all")
        for table in ("items", "users", "interactions", "rejects")
    } | {"item_columns": query("select column_name from (describe items)")}


def test_missing_required_column_message(store, write):
    clicks = write("clicks.csv", "uid,item_id,timestamp\n1,1,881250949\n")

    with pytest.raises(IngestError) as error:
        ingest_files(store, clicks, items=write("items.csv", ITEMS))

    assert str(error.value) == (
        f"missing column: user_id in {clicks} (rename it or pass --user-column NAME; "
        "columns found: uid, item_id, timestamp)"
    )


def test_missing_item_id_names_option(store, write):
    items = write("items.csv", "id,title\n1,Toy\n")

    with pytest.raises(
        IngestError, match=r"missing column: item_id .*--item-id-column NAME"
    ):
        ingest_files(store, items=items)


def test_missing_timestamp_names_option(store, write):
    clicks = write("clicks.csv", "user_id,item_id,time\n1,1,881250949\n")

    with pytest.raises(
        IngestError, match=r"missing column: timestamp .*--timestamp-column"
    ):
        ingest_files(store, clicks)


def test_missing_mapped_column_message(store, write):
    clicks = write("clicks.csv", CLICKS)

    with pytest.raises(
        IngestError, match=r"missing column: rating in .*given with --weight-column"
    ):
        ingest_files(store, clicks, columns={"interactions": {"weight": "rating"}})


def test_missing_column_in_arrow_table(store):
    with pytest.raises(
        IngestError, match="missing column: user_id in interactions table"
    ):
        ingest_files(store, pa.table({"item_id": [1], "timestamp": [1]}))


def test_nothing_loaded_unknown_items(store, write):
    clicks = write(
        "clicks.csv", "user_id,item_id,timestamp\n1,7,881250949\n1,8,881250949\n"
    )

    with pytest.raises(IngestError) as error:
        ingest_files(store, clicks)

    assert str(error.value) == (
        f"nothing could be loaded from {clicks}: 2 rows rejected (unknown item: 2); "
        "load the items first, or pass them with --items FILE"
    )


def test_nothing_loaded_header_only(store, write):
    items = write("items.csv", "item_id,title\n")

    with pytest.raises(
        IngestError, match=re.escape(f"nothing could be loaded: {items} has no rows")
    ):
        ingest_files(store, items=items)


def test_empty_file_missing_header(store, write):
    items = write("items.csv", "")

    with pytest.raises(IngestError, match="missing header"):
        ingest_files(store, items=items)


def test_failed_ingest_leaves_store_unchanged(store, query, write):
    ingest_files(store, write("clicks.csv", CLICKS), items=write("items.csv", ITEMS))
    before = _snapshot(query)
    items = write("items2.csv", "item_id,title,channel\n1,Changed,kids\n3,New,adult\n")
    clicks = write("clicks2.csv", "user_id,item_id,timestamp\n9,99,881250949\n\n")

    with pytest.raises(IngestError, match="nothing could be loaded"):
        ingest_files(store, clicks, items=items)

    assert _snapshot(query) == before


def test_failed_ingest_on_missing_column_writes_nothing(store, query, write):
    ingest_files(store, items=write("items.csv", ITEMS))
    before = _snapshot(query)

    with pytest.raises(IngestError, match="missing column"):
        ingest_files(store, write("clicks.csv", "user,item_id,timestamp\n1,1,1\n"))

    assert _snapshot(query) == before


def test_duplicate_header_column(store, write):
    items = write("items.csv", "item_id,title,Title\n1,a,b\n")

    with pytest.raises(IngestError, match="duplicate column: Title"):
        ingest_files(store, items=items)


def test_reserved_column_name(store, write):
    items = write("items.csv", "item_id,_sqlrec_line\n1,a\n")

    with pytest.raises(IngestError, match="invalid column name: _sqlrec_line"):
        ingest_files(store, items=items)


def test_unsupported_file_type(store, write):
    with pytest.raises(ValueError, match=r"unsupported file type: items\.json"):
        ingest_files(store, items=write("items.json", "[]"))


def test_file_not_found(store, tmp_path):
    with pytest.raises(FileNotFoundError, match="file not found"):
        ingest_files(store, items=tmp_path / "absent.csv")


def test_no_input_given(store):
    with pytest.raises(ValueError, match="no input given"):
        ingest_files(store)


def test_invalid_input_type(store):
    with pytest.raises(TypeError, match="invalid items input: dict"):
        ingest_files(store, items={"item_id": [1]})


def test_invalid_columns_key(store, write):
    with pytest.raises(ValueError, match="invalid column for items: 'title'"):
        ingest_files(
            store, items=write("items.csv", ITEMS), columns={"items": {"title": "x"}}
        )


def test_invalid_columns_table(store, write):
    with pytest.raises(ValueError, match="invalid table in columns: 'clicks'"):
        ingest_files(store, items=write("items.csv", ITEMS), columns={"clicks": {}})


def test_unknown_list_column(store, write):
    with pytest.raises(ValueError, match="unknown list column: actors"):
        ingest_files(store, items=write("items.csv", ITEMS), list_columns=["actors"])
