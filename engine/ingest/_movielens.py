"""Ingest of MovieLens-100K: ``u.data``, ``u.item``, ``u.user`` and ``u.genre``.

The files have no header and no quoting. ``u.item`` is Latin-1 text with 24
``|``-separated fields: id, title, release date (``01-Jan-1995``), video release
date, IMDb URL and 19 genre flags in the order of ``u.genre``. Its quirks are
kept: item 267 is titled "unknown" with no date, and some zip codes in ``u.user``
contain letters, so zip stays text.
"""

from __future__ import annotations

import datetime
import logging
import os
from pathlib import Path

import pyarrow as pa

from engine.errors import IngestError
from engine.ingest._load import load_sources
from engine.ingest._rejects import LINE, RAW, invalid
from engine.ingest._report import IngestReport
from engine.ingest._source import Source
from engine.ingest._text import TextTable, read_delimited

_log = logging.getLogger(__name__)

FILES = ("u.data", "u.item", "u.user", "u.genre")
ENCODING = "latin-1"

_RATING_COLUMNS = ["user_id", "item_id", "rating", "timestamp"]
_USER_COLUMNS = ["user_id", "age", "gender", "occupation", "zip"]
_USER_TYPES = {
    "age": "INTEGER",
    "gender": "VARCHAR",
    "occupation": "VARCHAR",
    "zip": "VARCHAR",
}
_ITEM_FIELDS = ["item_id", "title", "release_date", "video_release_date", "imdb_url"]
# Columns of the converted items; the id stays text so the load checks it.
_ITEM_TYPES = {
    "item_id": pa.string(),
    "title": pa.string(),
    "release_date": pa.date32(),
    "year": pa.int32(),
    "imdb_url": pa.string(),
    "genres": pa.list_(pa.string()),
    LINE: pa.int64(),
    RAW: pa.string(),
}

# Month abbreviations of the release dates, independent of the process locale.
_MONTHS = {
    name: number
    for number, name in enumerate(
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1
    )
}


def ingest_movielens(store, directory: str | os.PathLike[str]) -> IngestReport:
    """Load MovieLens-100K from ``directory`` into ``store``.

    Ratings become interactions with the rating as ``weight`` and the unix
    timestamp as a UTC ``timestamp``. Items get ``title``, ``release_date``
    (date), ``year`` (integer, from the release date), ``imdb_url`` and
    ``genres`` (``varchar[]`` of the ``u.genre`` names). Users get ``age``
    (integer), ``gender``, ``occupation`` and ``zip`` (text). The video release
    date is not stored, because ML-100K leaves it empty on every line.

    Parameters
    ----------
    store : Store
        The store to load into.
    directory : str or Path
        Directory holding ``u.data``, ``u.item``, ``u.user`` and ``u.genre``.

    Returns
    -------
    IngestReport
        On the published files: 100,000 interactions, 1,682 items and 943 users
        loaded, and the empty first line of ``u.user`` rejected.

    Raises
    ------
    IngestError
        When a file is missing or nothing of one file could be loaded.
    """
    directory = Path(directory)
    for name in FILES:
        if not (directory / name).is_file():
            raise IngestError(
                f"missing file: {name} in {directory} (expected the MovieLens-100K "
                f"files {', '.join(FILES)})"
            )
    genres = read_genres(directory / "u.genre")
    sources = [
        _items_source(directory / "u.item", genres),
        _users_source(directory / "u.user"),
        _ratings_source(directory / "u.data"),
    ]
    return load_sources(store, sources)


def read_genres(path: Path) -> list[str]:
    """Read ``u.genre`` (``name|index`` per line) into names ordered by index."""
    pairs = []
    for number, line in enumerate(path.read_text(encoding=ENCODING).splitlines(), 1):
        if not line.strip():
            continue
        name, _, index = line.rpartition("|")
        if not name or not index.strip().isdigit():
            raise IngestError(
                f"invalid genre line: {line!r} on line {number} of {path} "
                "(expected name|index)"
            )
        pairs.append((int(index), name))
    pairs.sort()
    if [index for index, _ in pairs] != list(range(len(pairs))):
        raise IngestError(f"invalid genre indices in {path}: expected 0, 1, 2, ...")
    return [name for _, name in pairs]


def _ratings_source(path: Path) -> Source:
    text = read_delimited(
        path, delimiter="\t", encoding=ENCODING, names=_RATING_COLUMNS, quoting=False
    )
    return Source(
        table="interactions",
        name=os.fspath(path),
        rows=text.rows,
        columns={
            "user_id": "user_id",
            "item_id": "item_id",
            "timestamp": "timestamp",
            "weight": "rating",
        },
        rejects=text.rejects,
    )


def _users_source(path: Path) -> Source:
    text = read_delimited(
        path, delimiter="|", encoding=ENCODING, names=_USER_COLUMNS, quoting=False
    )
    return Source(
        table="users",
        name=os.fspath(path),
        rows=text.rows,
        columns={"user_id": "user_id"},
        rejects=text.rejects,
        types=dict(_USER_TYPES),
    )


def _items_source(path: Path, genres: list[str]) -> Source:
    names = _ITEM_FIELDS + [f"genre_{index}" for index in range(len(genres))]
    text = read_delimited(
        path, delimiter="|", encoding=ENCODING, names=names, quoting=False
    )
    rows = _convert_items(text, genres)
    return Source(
        table="items",
        name=os.fspath(path),
        rows=rows,
        columns={"item_id": "item_id"},
        rejects=text.rejects,
    )


def _convert_items(text: TextTable, genres: list[str]) -> pa.Table:
    """Convert the item fields to typed columns; bad rows join the rejects."""
    fields = {name: text.rows.column(name).to_pylist() for name in text.columns}
    lines = text.rows.column(LINE).to_pylist()
    raws = text.rows.column(RAW).to_pylist()
    flags = [fields[f"genre_{index}"] for index in range(len(genres))]
    columns = {name: [] for name in _ITEM_TYPES}

    for row, line in enumerate(lines):
        try:
            date = _parse_date(fields["release_date"][row])
        except ValueError:
            text.rejects.add(line, invalid("release_date"), raws[row])
            continue
        row_flags = [column[row] for column in flags]
        if any(flag not in ("0", "1") for flag in row_flags):
            text.rejects.add(line, invalid("genres"), raws[row])
            continue
        columns["item_id"].append(fields["item_id"][row])
        columns["title"].append(fields["title"][row])
        columns["release_date"].append(date)
        columns["year"].append(date.year if date else None)
        columns["imdb_url"].append(fields["imdb_url"][row])
        columns["genres"].append(
            [name for name, flag in zip(genres, row_flags) if flag == "1"]
        )
        columns[LINE].append(line)
        columns[RAW].append(raws[row])

    return pa.table(
        {name: pa.array(values, _ITEM_TYPES[name]) for name, values in columns.items()}
    )


def _parse_date(value: str | None) -> datetime.date | None:
    """Parse a date such as ``01-Jan-1995``; an empty field gives None."""
    if value is None:
        return None
    day, _, rest = value.partition("-")
    month, _, year = rest.partition("-")
    if month not in _MONTHS:
        raise ValueError(f"invalid month: {month!r}")
    return datetime.date(int(year), _MONTHS[month], int(day))
