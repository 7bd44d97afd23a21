"""Tables of the catalog that every store has, whatever data it was loaded from.

Item and user tables take any metadata columns beyond their id, so only their
id column is fixed here; ingest adds the rest from the input files.
"""

from __future__ import annotations

import duckdb

CORE_DDL = """
create table if not exists items (
    item_id bigint primary key
);

create table if not exists users (
    user_id bigint primary key
);

create table if not exists interactions (
    user_id bigint not null,
    item_id bigint not null,
    timestamp timestamp not null,
    weight double not null default 1.0,
    device varchar
);

create table if not exists rejects (
    source varchar not null,
    line bigint,
    reason varchar not null,
    raw varchar,
    rejected_at timestamp not null default current_timestamp
);

create table if not exists model_versions (
    version varchar primary key,
    parent varchar,
    created_at timestamp not null,
    interaction_count bigint not null,
    models varchar[] not null,
    settings json not null,
    removed_at timestamp
);
"""


def create_core_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables whose columns do not depend on the input data."""
    con.execute(CORE_DDL)


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Tell whether ``name`` is a table or view of the main schema."""
    row = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'main' and table_name = ?",
        [name],
    ).fetchall()
    return bool(row and row[0][0])
