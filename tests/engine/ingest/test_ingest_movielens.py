"""MovieLens-100K ingest: the real files (slow) and small invented files."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import pytest

import engine
from engine.errors import IngestError
from engine.ingest import ingest_movielens

# Invented files in the MovieLens-100K layout, with three genres instead of 19.
GENRES = "unknown|0\nAction|1\nComedy|2\n\n"
ITEMS = (
    "1|First Film (1990)|01-Jan-1990||http://example.com/1|0|1|1\n"
    "2|unknown||||1|0|0\n"
    "3|Third Film (1991)|31-Feb-1991||http://example.com/3|0|0|1\n"
    "4|Fourth Film (1992)|05-May-1992||http://example.com/4|0|2|0\n"
    "5|Fifth Film (1993)|07-Jul-1993||http://example.com/5|0|0\n"
)
USERS = "\n1|24|M|technician|85711\n2|old|F|other|T8H1N\n3|30|F|writer|K1A0B\n"
RATINGS = "1\t1\t5\t881250949\n3\t2\t3\t881250950\n9\t7\t1\t881250951\n"


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "ml"
    directory.mkdir()
    for name, content in [
        ("u.genre", GENRES),
        ("u.item", ITEMS),
        ("u.user", USERS),
        ("u.data", RATINGS),
    ]:
        (directory / name).write_text(content, encoding="latin-1")
    return directory


@pytest.fixture(scope="module")
def ml100k(tmp_path_factory, ml100k_dir):
    """Ingest the real files once; return the report and a query function."""
    store = engine.open(
        tmp_path_factory.mktemp("ml100k") / "movies.sqlrec", create=True
    )
    report = ingest_movielens(store, ml100k_dir)

    def query(sql: str) -> list[tuple]:
        con = duckdb.connect(str(store.catalog_path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    return report, query


def _types(query, table: str) -> dict[str, str]:
    return {name: type_name for name, type_name, *_ in query(f"describe {table}")}


@pytest.mark.slow
def test_ml100k_counts(ml100k):
    report, query = ml100k

    assert report.loaded == {"items": 1682, "users": 943, "interactions": 100000}
    assert query("select count(*) from interactions") == [(100000,)]
    assert query("select count(*) from items") == [(1682,)]
    assert query("select count(*) from users") == [(943,)]
    assert report.created_users == 0


@pytest.mark.slow
def test_ml100k_empty_line_rejected(ml100k, ml100k_dir):
    report, query = ml100k

    assert report.rejected == {"items": 0, "users": 1, "interactions": 0}
    assert report.reasons["users"] == {"empty line": 1}
    assert query("select source, line, reason, raw from rejects") == [
        (str(ml100k_dir / "u.user"), 1, "empty line", "")
    ]


@pytest.mark.slow
def test_ml100k_item_267_kept(ml100k):
    _, query = ml100k

    rows = query(
        "select title, release_date, year, genres from items where item_id = 267"
    )

    assert rows == [("unknown", None, None, ["unknown"])]


@pytest.mark.slow
def test_ml100k_zip_with_letters(ml100k):
    _, query = ml100k

    letters = query("select count(*) from users where regexp_matches(zip, '[A-Za-z]')")

    assert _types(query, "users")["zip"] == "VARCHAR"
    assert letters[0][0] > 0
    assert query("select zip from users where user_id = 74") == [("T8H1N",)]


@pytest.mark.slow
def test_ml100k_column_types(ml100k):
    _, query = ml100k

    items = _types(query, "items")
    users = _types(query, "users")

    assert items["genres"] == "VARCHAR[]"
    assert items["release_date"] == "DATE"
    assert items["year"] == "INTEGER"
    assert items["title"] == "VARCHAR"
    assert items["imdb_url"] == "VARCHAR"
    assert users["age"] == "INTEGER"
    assert set(users) == {"user_id", "age", "gender", "occupation", "zip"}


@pytest.mark.slow
def test_ml100k_values_of_first_rows(ml100k):
    _, query = ml100k

    item = query(
        "select title, release_date, year, genres from items where item_id = 1"
    )
    rating = query(
        "select timestamp, weight from interactions "
        "where user_id = 196 and item_id = 242"
    )
    span = query("select min(timestamp)::date, max(timestamp)::date from interactions")

    assert item == [
        (
            "Toy Story (1995)",
            datetime.date(1995, 1, 1),
            1995,
            ["Animation", "Children's", "Comedy"],
        )
    ]
    assert rating == [(datetime.datetime(1997, 12, 4, 15, 55, 49), 3.0)]
    assert span == [(datetime.date(1997, 9, 20), datetime.date(1998, 4, 22))]


def test_movielens_format_small_files(store, query, small_dir):
    report = ingest_movielens(store, small_dir)

    assert report.loaded == {"items": 2, "users": 2, "interactions": 2}
    assert query("select item_id, title, year, genres from items order by item_id") == [
        (1, "First Film (1990)", 1990, ["Action", "Comedy"]),
        (2, "unknown", None, ["unknown"]),
    ]
    assert query("select user_id, age, zip from users order by user_id") == [
        (1, 24, "85711"),
        (3, 30, "K1A0B"),
    ]


def test_movielens_bad_rows_rejected(store, query, small_dir):
    ingest_movielens(store, small_dir)

    rejects = query("select source, line, reason from rejects order by source, line")

    assert rejects == [
        (str(small_dir / "u.data"), 3, "unknown item"),
        (str(small_dir / "u.item"), 3, "invalid release_date"),
        (str(small_dir / "u.item"), 4, "invalid genres"),
        (str(small_dir / "u.item"), 5, "wrong column count"),
        (str(small_dir / "u.user"), 1, "empty line"),
        (str(small_dir / "u.user"), 3, "invalid age"),
    ]


def test_movielens_rating_is_weight(store, query, small_dir):
    ingest_movielens(store, small_dir)

    rows = query(
        "select user_id, item_id, timestamp, weight from interactions order by 1"
    )

    assert rows == [
        (1, 1, datetime.datetime(1997, 12, 4, 15, 55, 49), 5.0),
        (3, 2, datetime.datetime(1997, 12, 4, 15, 55, 50), 3.0),
    ]


def test_movielens_missing_file(store, small_dir):
    (small_dir / "u.genre").unlink()

    with pytest.raises(IngestError, match=r"missing file: u\.genre in .*\(expected"):
        ingest_movielens(store, small_dir)


def test_movielens_latin1_title(store, query, small_dir):
    line = "6|Caf\xe9 (1994)|01-Jan-1994||http://example.com/6|0|0|1\n"
    with open(small_dir / "u.item", "a", encoding="latin-1") as handle:
        handle.write(line)

    ingest_movielens(store, small_dir)

    assert query("select title from items where item_id = 6") == [("Caf\xe9 (1994)",)]
