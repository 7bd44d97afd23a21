"""Fixtures of the ingest tests: a fresh store, file writers and catalog queries."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import engine


@pytest.fixture
def store(store_path: Path):
    return engine.open(store_path, create=True)


@pytest.fixture
def write(tmp_path: Path):
    """Write text (or bytes) to a file under tmp_path and return its path."""

    def write_file(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write_file


@pytest.fixture
def query(store):
    """Run SQL on the store's catalog in a read-only connection and fetch all rows."""

    def run(sql: str, parameters=None) -> list[tuple]:
        con = duckdb.connect(str(store.catalog_path), read_only=True)
        try:
            return con.execute(sql, parameters or []).fetchall()
        finally:
            con.close()

    return run


@pytest.fixture
def column_types(query):
    """Map the column names of a catalog table to their DuckDB types."""

    def describe(table: str) -> dict[str, str]:
        return {name: type_name for name, type_name, *_ in query(f"describe {table}")}

    return describe
