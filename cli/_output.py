"""Result rows of `sqlrec sql` as a text table, CSV or JSON.

Some values have no JSON or CSV type, so they are written as text, the same in
every format. An INTERVAL is DuckDB's text ('2 months 1 day 02:00:00'). A BLOB is
DuckDB's text, with \\xHH escapes for bytes outside printable ASCII ('\\xAB\\x01').
Dates and times are ISO 8601, and a DECIMAL is a JSON number. JSON has no value for
NaN or an infinite float, so they become null. In CSV a list, struct or map is its
JSON text, by the same rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import uuid

import click
import duckdb

from cli._table import render_table

# Top-level columns of these types are cast to text by DuckDB before fetching,
# because Python's values lose information (an interval's months become days).
_TEXT_TYPES = ("interval", "blob")


def fetch(relation: duckdb.DuckDBPyRelation) -> tuple[list[str], list[tuple]]:
    """Run ``relation`` and return its column names and rows."""
    columns = relation.columns
    if not any(t.id in _TEXT_TYPES for t in relation.types):
        return columns, relation.fetchall()
    expressions = []
    for name, column_type in zip(columns, relation.types):
        quoted = '"' + name.replace('"', '""') + '"'
        if column_type.id in _TEXT_TYPES:
            expressions.append(f"cast({quoted} as varchar) as {quoted}")
        else:
            expressions.append(quoted)
    return columns, relation.project(", ".join(expressions)).fetchall()


def print_rows(columns: list[str], rows: list[tuple], output_format: str) -> None:
    """Print ``rows`` on stdout as a table, CSV or JSON."""
    if output_format == "json":
        records = [
            {name: _json_value(value) for name, value in zip(columns, row)}
            for row in rows
        ]
        click.echo(json.dumps(records, indent=2, ensure_ascii=False, allow_nan=False))
    elif output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_value(value) for value in row] for row in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(render_table(columns, rows))
        click.echo(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")


def _csv_value(value):
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(_json_value(value), ensure_ascii=False, allow_nan=False)
    if isinstance(value, float) and not math.isfinite(value):
        # CSV readers such as DuckDB's and pandas' read these spellings back.
        if math.isnan(value):
            return "nan"
        return "inf" if value > 0 else "-inf"
    return _text_value(value)


def _json_value(value):
    """Convert a fetched value to what ``json.dumps`` writes as valid JSON."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    return _text_value(value)


def _text_value(value):
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        # Only nested blobs get here, since top-level ones are cast by DuckDB.
        return "".join(
            chr(b) if 32 <= b < 127 and b != 92 else f"\\x{b:02X}" for b in value
        )
    if isinstance(value, (dt.timedelta, uuid.UUID)):
        return str(value)
    return value
