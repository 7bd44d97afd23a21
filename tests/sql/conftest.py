"""Fixtures of the SQL tests: an in-memory DuckDB with every macro, CSV loaders, and a
small demo store for the serving functions.

Each family keeps its tiny input and expected CSVs in a ``data/`` folder beside its
tests; the loaders read ``evaluation/data`` unless given another folder.
"""

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
def load_table(con) -> Callable[..., None]:
    """Return ``load(name, columns, data=DATA)``: create table ``name`` from
    ``<data>/<name>.csv``.

    ``columns`` maps each CSV column to its DuckDB type, so that empty cells read
    as NULL and numbers keep the type the macros expect.
    """

    def load(name: str, columns: dict[str, str], data: Path = DATA) -> None:
        path = data / f"{name}.csv"
        con.execute(
            f"create table {name} as select * from read_csv(?, header = true, "
            "columns = ?, nullstr = '')",
            [str(path), columns],
        )

    return load


@pytest.fixture
def expected() -> Callable[..., list[tuple]]:
    """Return ``read(name, columns, data=DATA)``: the typed rows of
    ``<data>/<name>.csv``."""

    def read(name: str, columns: dict[str, str], data: Path = DATA) -> list[tuple]:
        with duckdb.connect() as reader:
            return reader.execute(
                "select * from read_csv(?, header = true, columns = ?, nullstr = '')",
                [str(data / f"{name}.csv"), columns],
            ).fetchall()

    return read


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """Path of a small demo store: 150 users, 300 items, one training epoch.

    Built once per test session with ``sqlrec demo``, which trains every model,
    indexes the items in LanceDB, promotes the version and evaluates.
    """
    from click.testing import CliRunner

    from cli import sqlrec

    path = tmp_path_factory.mktemp("sql") / "demo.sqlrec"
    result = CliRunner().invoke(
        sqlrec,
        [
            "--store",
            str(path),
            "demo",
            "--users",
            "150",
            "--items",
            "300",
            "--epochs",
            "1",
        ],
    )
    if result.exit_code != 0:
        raise RuntimeError(f"demo store failed to build: {result.output}")
    return path
