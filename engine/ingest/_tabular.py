"""Ingest of CSV, TSV and Parquet files and of Arrow tables.

Text files need a header line and are typed during the load; Parquet files and
Arrow tables keep their types. Interactions need ``user_id, item_id, timestamp``
and may have ``weight`` and ``device``; items need ``item_id`` and users
``user_id``, and both take any other columns as metadata.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa

from engine.errors import IngestError
from engine.ingest._arrow import prepare_arrow, read_parquet
from engine.ingest._load import load_sources
from engine.ingest._rejects import LINE, RAW
from engine.ingest._report import TABLE_ORDER, IngestReport
from engine.ingest._source import ID_COLUMNS, Source
from engine.ingest._text import read_delimited

_log = logging.getLogger(__name__)

Input = str | os.PathLike | pa.Table

_TEXT_DELIMITERS = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
_PARQUET_SUFFIXES = (".parquet", ".pq")

REQUIRED_COLUMNS = {
    "interactions": ("user_id", "item_id", "timestamp"),
    "items": ("item_id",),
    "users": ("user_id",),
}
OPTIONAL_COLUMNS = {"interactions": ("weight", "device"), "items": (), "users": ()}

# The ``sqlrec ingest`` option that maps each fixed column, named in errors.
COLUMN_OPTIONS = {
    ("interactions", "user_id"): "--user-column",
    ("interactions", "item_id"): "--item-column",
    ("interactions", "timestamp"): "--timestamp-column",
    ("interactions", "weight"): "--weight-column",
    ("interactions", "device"): "--device-column",
    ("items", "item_id"): "--item-id-column",
    ("users", "user_id"): "--user-id-column",
}


def ingest_files(
    store,
    interactions: Input | None = None,
    *,
    items: Input | None = None,
    users: Input | None = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    list_columns: Iterable[str] = (),
    source_names: Mapping[str, str] | None = None,
) -> IngestReport:
    """Load interactions, items and users from files or Arrow tables.

    Parameters
    ----------
    store : Store
        The store to load into (see :func:`engine.open` with ``create=True``).
    interactions, items, users : str, Path or pyarrow.Table, optional
        Inputs; at least one is required. Files are read by extension: ``.csv``
        (comma) and ``.tsv`` (tab) with a header line, ``.parquet``.
    columns : mapping, optional
        Input column of a fixed catalog column, per table, such as
        ``{"interactions": {"user_id": "uid"}, "items": {"item_id": "movie"}}``.
        Interactions map ``user_id, item_id, timestamp, weight, device``; items
        ``item_id``; users ``user_id``. A mapped column must exist.
    list_columns : iterable of str, default=()
        Text columns of the items or users input to split on ``|`` into lists,
        even where no value contains ``|``.
    source_names : mapping of str to str, optional
        Name of an input per table, recorded in ``rejects.source``; defaults to
        the path, or ``"<table> table"`` for an Arrow table.

    Returns
    -------
    IngestReport

    Raises
    ------
    IngestError
        When a required column is missing or nothing of one input could be
        loaded. The catalog is then left as it was.
    """
    inputs = {"items": items, "users": users, "interactions": interactions}
    inputs = {table: data for table, data in inputs.items() if data is not None}
    if not inputs:
        raise ValueError("no input given: pass interactions, items or users")
    mapping = _check_mapping(columns or {})
    list_columns = frozenset(list_columns)
    names = dict(source_names or {})

    sources = [
        read_source(
            table,
            data,
            columns=mapping.get(table, {}),
            list_columns=list_columns,
            name=names.get(table),
        )
        for table, data in inputs.items()
    ]
    _check_list_columns(list_columns, sources)
    return load_sources(store, sources)


def read_source(
    table: str,
    data: Input,
    *,
    columns: Mapping[str, str] | None = None,
    list_columns: frozenset[str] = frozenset(),
    name: str | None = None,
) -> Source:
    """Parse one input for ``table`` and check that its fixed columns exist."""
    if isinstance(data, pa.Table):
        name = name or f"{table} table"
        rows, rejects = prepare_arrow(data, name)
        infer_types = False
    elif isinstance(data, (str, os.PathLike)):
        path = Path(data)
        name = name or os.fspath(data)
        if not path.is_file():
            raise FileNotFoundError(f"file not found: {path}")
        suffix = path.suffix.lower()
        if suffix in _TEXT_DELIMITERS:
            text = read_delimited(path, delimiter=_TEXT_DELIMITERS[suffix])
            rows, rejects = text.rows, text.rejects
            infer_types = True
        elif suffix in _PARQUET_SUFFIXES:
            parquet, undecoded = read_parquet(path, name)
            rows, rejects = prepare_arrow(parquet, name, undecoded)
            infer_types = False
        else:
            raise ValueError(
                f"unsupported file type: {path.name} (expected .csv, .tsv or .parquet)"
            )
    else:
        raise TypeError(
            f"invalid {table} input: {type(data).__name__}, "
            "expected a file path or a pyarrow.Table"
        )

    mapped, ignored = _map_columns(table, rows.column_names, dict(columns or {}), name)
    if ignored:
        _log.warning("%s: columns not stored: %s", name, ", ".join(ignored))
    return Source(
        table=table,
        name=name,
        rows=rows,
        columns=mapped,
        rejects=rejects,
        infer_types=infer_types,
        list_columns=list_columns,
        ignored_columns=ignored,
    )


def _check_mapping(
    columns: Mapping[str, Mapping[str, str]],
) -> dict[str, dict[str, str]]:
    checked = {}
    for table, mapping in columns.items():
        if table not in TABLE_ORDER:
            raise ValueError(
                f"invalid table in columns: {table!r}, expected one of "
                f"{', '.join(TABLE_ORDER)}"
            )
        fixed = REQUIRED_COLUMNS[table] + OPTIONAL_COLUMNS[table]
        for column in mapping:
            if column not in fixed:
                raise ValueError(
                    f"invalid column for {table}: {column!r}, expected one of "
                    f"{', '.join(fixed)}"
                )
        checked[table] = dict(mapping)
    return checked


def _map_columns(
    table: str, names: list[str], mapping: dict[str, str], source_name: str
) -> tuple[dict[str, str], list[str]]:
    """Find the input column of each fixed column, and the columns left unused."""
    inputs = [name for name in names if name not in (LINE, RAW)]
    found = {}
    for column in REQUIRED_COLUMNS[table] + OPTIONAL_COLUMNS[table]:
        input_name = mapping.get(column, column)
        if input_name in inputs:
            found[column] = input_name
        elif column in mapping or column in REQUIRED_COLUMNS[table]:
            raise IngestError(
                _missing_column(
                    table, column, input_name, column in mapping, source_name, inputs
                )
            )

    if table == "interactions":
        ignored = [name for name in inputs if name not in found.values()]
        return found, ignored

    # Metadata columns keep their names, so none may take the id column's name.
    id_column = ID_COLUMNS[table]
    for name in inputs:
        if name != found[id_column] and name.lower() == id_column:
            raise IngestError(
                f"duplicate column: {name} in {source_name} would be stored as "
                f"{id_column}, which {found[id_column]} fills (rename one of them)"
            )
    return found, []


def _missing_column(table, column, input_name, mapped, source_name, inputs) -> str:
    option = COLUMN_OPTIONS[(table, column)]
    found = ", ".join(inputs) or "none"
    if mapped:
        fix = f"given with {option}; columns found: {found}"
    else:
        fix = f"rename it or pass {option} NAME; columns found: {found}"
    return f"missing column: {input_name} in {source_name} ({fix})"


def _check_list_columns(list_columns: frozenset[str], sources: list[Source]) -> None:
    metadata = {
        name
        for source in sources
        if source.table in ID_COLUMNS
        for name in source.rows.column_names
    }
    unknown = sorted(list_columns - metadata)
    if unknown:
        raise ValueError(
            f"unknown list column: {', '.join(unknown)} "
            "(name a column of the items or users input)"
        )
