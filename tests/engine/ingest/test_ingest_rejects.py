"""Each kind of bad row lands in ``rejects`` with file, line, reason and raw text."""

from __future__ import annotations

import pytest

from engine.ingest import ingest_files

HEADER = b"user_id,item_id,timestamp,weight\n"
GOOD_ROW = b"1,1,881250949,4\n"
LAST_ROW = b"2,2,881250999,3\n"
ITEMS = "item_id,title\n1,Toy\n2,Heat\n"

# One bad interaction on line 3, between two good ones: (case, line bytes, reason).
BAD_INTERACTIONS = [
    ("empty", b"", "empty line"),
    ("blank", b"   ", "empty line"),
    ("short", b"1,1", "wrong column count"),
    ("long", b"1,1,881250950,4,extra", "wrong column count"),
    ("text_after_quote", b'1,1,"881250950"x,4', "malformed row"),
    ("latin1", b"1,1,caf\xe9,4", "invalid encoding"),
    ("nul", b"1,1,88125\x000950,4", "invalid encoding"),
    ("no_user", b",1,881250950,4", "missing user_id"),
    ("text_user", b"u1,1,881250950,4", "invalid user_id"),
    ("hex_user", b"0x10,1,881250950,4", "invalid user_id"),
    ("decimal_item", b"1,1.5,881250950,4", "invalid item_id"),
    ("no_item", b"1,,881250950,4", "missing item_id"),
    ("no_timestamp", b"1,1,,4", "missing timestamp"),
    ("text_timestamp", b"1,1,yesterday,4", "invalid timestamp"),
    ("milliseconds", b"1,1,1700000000000,4", "invalid timestamp"),
    ("text_weight", b"1,1,881250950,high", "invalid weight"),
    ("unknown_item", b"1,99,881250950,4", "unknown item"),
    ("repeat", b"1,1,881250949,5", "duplicate interaction"),
]


@pytest.mark.parametrize(
    "line, reason",
    [case[1:] for case in BAD_INTERACTIONS],
    ids=[c[0] for c in BAD_INTERACTIONS],
)
def test_bad_interaction_rejected(store, query, write, line, reason):
    clicks = write("clicks.csv", HEADER + GOOD_ROW + line + b"\n" + LAST_ROW)

    report = ingest_files(store, clicks, items=write("items.csv", ITEMS))

    assert report.loaded["interactions"] == 2
    assert report.reasons["interactions"] == {reason: 1}
    (row,) = query("select source, line, reason, raw from rejects")
    assert row[:3] == (str(clicks), 3, reason)
    assert row[3] == line.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")


def test_unclosed_quote_rejected(store, query, write):
    clicks = write("clicks.csv", HEADER + GOOD_ROW + b'2,2,"881250999,3\n')

    report = ingest_files(store, clicks, items=write("items.csv", ITEMS))

    assert report.loaded["interactions"] == 1
    assert query("select line, reason from rejects") == [(3, "malformed row")]


def test_field_over_csv_limit_rejected(store, query, write):
    # Python's csv module stops at fields of 128 KiB by default.
    long_row = b"1,1,881250950," + b"9" * 140_000 + b"\n"
    clicks = write("clicks.csv", HEADER + GOOD_ROW + long_row + LAST_ROW)

    report = ingest_files(store, clicks, items=write("items.csv", ITEMS))

    assert report.loaded["interactions"] == 2
    assert query("select line, reason from rejects") == [(3, "malformed row")]


def test_rejects_keep_other_rows(store, query, write):
    clicks = write("clicks.csv", HEADER + GOOD_ROW + b"x,1,1,1\n" + LAST_ROW)

    ingest_files(store, clicks, items=write("items.csv", ITEMS))

    assert query("select user_id, item_id from interactions order by user_id") == [
        (1, 1),
        (2, 2),
    ]


def test_rejects_timestamp_recorded(store, query, write):
    clicks = write("clicks.csv", HEADER + GOOD_ROW + b"x,1,1,1\n")

    ingest_files(store, clicks, items=write("items.csv", ITEMS))

    assert query("select count(*) from rejects where rejected_at is not null") == [(1,)]


def test_rejects_several_reasons_counted(store, write):
    lines = HEADER + GOOD_ROW + b"\n" + b"\n" + b"1,99,881250950,4\n" + b"1,1\n"
    clicks = write("clicks.csv", lines)

    report = ingest_files(store, clicks, items=write("items.csv", ITEMS))

    assert report.rejected["interactions"] == 4
    assert report.reasons["interactions"] == {
        "empty line": 2,
        "unknown item": 1,
        "wrong column count": 1,
    }
    assert report.reason_counts() == report.reasons["interactions"]


def test_duplicate_item_id_in_file(store, query, write):
    items = write("items.csv", "item_id,title\n1,Toy\n1,Toy again\n2,Heat\n")

    report = ingest_files(store, items=items)

    assert report.loaded["items"] == 2
    assert query("select line, reason, raw from rejects") == [
        (3, "duplicate item_id", "1,Toy again")
    ]
    assert query("select title from items where item_id = 1") == [("Toy",)]


def test_invalid_user_id_in_users_file(store, query, write):
    users = write("users.csv", "user_id,age\n1,24\nabc,30\n,31\n")

    ingest_files(store, users=users)

    assert query("select line, reason from rejects order by line") == [
        (3, "invalid user_id"),
        (4, "missing user_id"),
    ]


def test_header_after_empty_lines(store, query, write):
    items = write("items.csv", "\n\nitem_id,title\n1,Toy\n")

    report = ingest_files(store, items=items)

    assert report.loaded["items"] == 1
    assert query("select line, reason from rejects order by line") == [
        (1, "empty line"),
        (2, "empty line"),
    ]
