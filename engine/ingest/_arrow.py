"""Arrow input (Parquet files, pyarrow tables), rejecting rows that do not decode."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from engine.errors import IngestError
from engine.ingest._rejects import INVALID_ENCODING, LINE, RAW, RejectRows
from engine.ingest._text import check_header


def read_parquet(path: Path, name: str) -> tuple[pa.Table, list[str]]:
    """Read a Parquet file; return it and the string columns read as bytes.

    pyarrow rejects the whole file for one string that is not valid UTF-8, so
    after such a failure every string column is read as bytes and decoded row by
    row in :func:`prepare_arrow`.
    """
    try:
        return pq.read_table(path), []
    except pa.ArrowInvalid as exc:
        if "UTF8" not in str(exc):
            raise IngestError(f"failed to read {name}: {exc}") from exc
    except OSError as exc:
        raise IngestError(f"failed to read {name}: {exc}") from exc

    schema = pq.read_schema(path)
    strings = [field.name for field in schema if _is_string(field.type)]
    binary = pa.schema(
        [
            field.with_type(pa.binary()) if field.name in strings else field
            for field in schema
        ]
    )
    return pq.read_table(path, schema=binary), strings


def _is_string(type_: pa.DataType) -> bool:
    return pa.types.is_string(type_) or pa.types.is_large_string(type_)


def prepare_arrow(
    table: pa.Table, name: str, undecoded: list[str] = ()
) -> tuple[pa.Table, RejectRows]:
    """Add line numbers and plain value types, and reject rows that do not decode.

    ``undecoded`` names binary columns that should hold UTF-8 text.
    """
    check_header(list(table.column_names), name)
    undecoded = list(undecoded)

    line = pa.array(range(1, table.num_rows + 1), pa.int64())
    columns = {}
    for column in table.column_names:
        values = table.column(column)
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        if pa.types.is_null(values.type):
            values = values.cast(pa.string())
        if _is_string(values.type) and not _valid_utf8(values):
            values = values.cast(pa.binary())
            undecoded.append(column)
        columns[column] = values

    bad = set()
    for column in undecoded:
        columns[column], rows = _decode(columns[column])
        bad.update(rows)
    columns[LINE] = line
    columns[RAW] = pa.nulls(table.num_rows, pa.string())
    prepared = pa.table(columns)

    rejects = RejectRows()
    if bad:
        for row in sorted(bad):
            values = prepared.slice(row, 1).drop_columns([LINE, RAW]).to_pylist()[0]
            rejects.add(row + 1, INVALID_ENCODING, _render(values))
        keep = pa.array([row not in bad for row in range(table.num_rows)])
        prepared = prepared.filter(keep)
    return prepared, rejects


def _valid_utf8(values: pa.ChunkedArray) -> bool:
    try:
        values.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _decode(values: pa.ChunkedArray) -> tuple[pa.Array, list[int]]:
    """Decode a binary column as UTF-8; return it and the rows that do not decode."""
    try:
        return values.cast(pa.string()), []
    except pa.ArrowInvalid:
        pass
    texts, bad = [], []
    for row, value in enumerate(values.to_pylist()):
        try:
            texts.append(None if value is None else value.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(value.decode("utf-8", "backslashreplace"))
            bad.append(row)
    return pa.array(texts, pa.string()), bad


def _render(values: dict) -> str:
    return json.dumps(values, default=str, ensure_ascii=False)
