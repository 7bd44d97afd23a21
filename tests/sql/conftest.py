"""Fixtures of the macro tests: an in-memory DuckDB with every macro, CSV loaders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from engine._macros import load_macros

DATA = Path(__file__).parent / "evaluation" / "data"


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    load_macros(connection)
    yield connection
    connection.close()


@pytest.fixture
def load_table(con) -> Callable[[str, dict[str, str]], None]:
    """Return ``load(name, columns)``: create table ``name`` from ``data/<name>.csv``.

    ``columns`` maps each CSV column to its DuckDB type, so that empty cells read
    as NULL and numbers keep the type the macros expect.
    """

    def load(name: str, columns: dict[str, str]) -> None:
        path = DATA / f"{name}.csv"
        con.execute(
            f"create table {name} as select * from read_csv(?, header = true, "
            "columns = ?, nullstr = '')",
            [str(path), columns],
        )

    return load


@pytest.fixture
def expected() -> Callable[[str, dict[str, str]], list[tuple]]:
    """Return ``read(name, columns)``: the typed rows of ``data/<name>.csv``."""

    def read(name: str, columns: dict[str, str]) -> list[tuple]:
        with duckdb.connect() as reader:
            return reader.execute(
                "select * from read_csv(?, header = true, columns = ?, nullstr = '')",
                [str(DATA / f"{name}.csv"), columns],
            ).fetchall()

    return read
