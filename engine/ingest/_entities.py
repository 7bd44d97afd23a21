"""Load items and users: typed metadata columns, upserted by id."""

from __future__ import annotations

import duckdb

from engine.ingest import _rejects as reasons
from engine.ingest._convert import (
    convert,
    infer_text_types,
    invalid_condition,
    literal,
    quote,
    to_id,
)
from engine.ingest._rejects import LINE, RAW, REASON, insert_checked_rejects
from engine.ingest._source import (
    CHECKED,
    ID_COLUMNS,
    INPUT,
    LoadCounts,
    Source,
    raw_expression,
    reason_case,
    required_checks,
)


def load_entities(
    con: duckdb.DuckDBPyConnection, source: Source, types: dict[str, str]
) -> LoadCounts:
    """Check the items or users of ``source`` and upsert the good rows by id.

    A row is rejected when its id is missing or not an integer, when a value does
    not convert to its column type, or when its id appeared on an earlier line.
    Columns the table lacks are added; an id already stored has the columns of
    the input replaced and keeps its other columns.
    """
    table = source.table
    id_column = ID_COLUMNS[table]
    source_id = source.columns[id_column]
    targets = _metadata_targets(con, source, types)

    # Convert every column, giving each row the reason of its first failed check.
    id_value = to_id(quote(source_id), types[source_id])
    checks = required_checks(id_column, source_id, id_value)
    values = [LINE, f"{id_value} as {id_column}"]
    for input_name, name, target in targets:
        value = convert(quote(input_name), types[input_name], target)
        values.append(f"{value} as {quote(name)}")
        condition = invalid_condition(
            quote(input_name), value, types[input_name], target
        )
        checks.append((condition, reasons.invalid(name)))
    con.execute(
        f"""
        create temp table {CHECKED} as
        with converted as (
            select {", ".join(values)}, {reason_case(checks)} as {REASON}
            from {INPUT}
        )

        select * replace (
            case
                when {REASON} is null and row_number() over (
                    partition by {id_column}, {REASON} is null order by {LINE}
                ) > 1 then {literal(reasons.duplicate(id_column))}
                else {REASON}
            end as {REASON}
        )
        from converted
        """
    )
    counts = insert_checked_rejects(
        con,
        source.name,
        checked=CHECKED,
        rows=INPUT,
        raw_expression=raw_expression(source),
    )

    # New columns first, then one upsert that replaces the given columns of known ids.
    existing = _table_columns(con, table)
    for _, name, target in targets:
        if name.lower() not in existing:
            con.execute(f"alter table {table} add column {quote(name)} {target}")
    (accepted, updated) = con.execute(
        f"select count(*), count(*) filter (where {id_column} in "
        f"(select {id_column} from {table})) from {CHECKED} where {REASON} is null"
    ).fetchone()
    con.execute(_upsert_sql(table, id_column, [name for _, name, _ in targets]))
    return LoadCounts(loaded=accepted, updated=updated, reasons=counts)


def _upsert_sql(table: str, id_column: str, names: list[str]) -> str:
    columns = ", ".join([id_column] + [quote(name) for name in names])
    if names:
        assignments = ", ".join(
            f"{quote(name)} = excluded.{quote(name)}" for name in names
        )
        conflict = f"do update set {assignments}"
    else:
        conflict = "do nothing"
    return (
        f"insert into {table} ({columns}) select {columns} from {CHECKED} "
        f"where {REASON} is null order by {LINE} on conflict ({id_column}) {conflict}"
    )


def _metadata_targets(con, source: Source, types: dict[str, str]):
    """Return ``(input column, catalog column, DuckDB type)`` of each metadata column.

    A column the table already has keeps that table's spelling and type. A new
    column takes ``source.types``, else the inferred type of text, else the input
    type.
    """
    existing = _table_columns(con, source.table)
    skip = {source.columns[ID_COLUMNS[source.table]], LINE, RAW}
    metadata = [name for name in source.rows.column_names if name not in skip]
    to_infer = [
        name
        for name in metadata
        if source.infer_types
        and types[name] == "VARCHAR"
        and name.lower() not in existing
        and name not in source.types
    ]
    inferred = infer_text_types(con, INPUT, to_infer, source.list_columns)

    targets = []
    for name in metadata:
        if name.lower() in existing:
            targets.append((name, *existing[name.lower()]))
        elif name in source.types:
            targets.append((name, name, source.types[name]))
        elif name in inferred:
            targets.append((name, name, inferred[name]))
        elif name in source.list_columns and types[name] == "VARCHAR":
            targets.append((name, name, "VARCHAR[]"))
        else:
            targets.append((name, name, _catalog_type(types[name])))
    return targets


def _catalog_type(input_type: str) -> str:
    # An Arrow column of only nulls has DuckDB type NULL, which no table column takes.
    return "VARCHAR" if input_type == '"NULL"' else input_type


def _table_columns(con, table: str) -> dict[str, tuple[str, str]]:
    """Map the lower-cased column names of ``table`` to ``(name, type)``."""
    rows = con.execute(f"describe {table}").fetchall()
    return {name.lower(): (name, type_name) for name, type_name, *_ in rows}
