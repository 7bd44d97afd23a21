"""Load the DuckDB macros of the ``sql`` package into a connection.

The macro files ship as package data, so they are read through
``importlib.resources`` and never through paths relative to a checkout.
"""

from __future__ import annotations

import functools
import importlib.resources
import logging
import re

import duckdb

_log = logging.getLogger(__name__)

# Helpers in util/ are loaded first because macros of other families call them.
_FAMILY_ORDER = ("util",)


def macro_files() -> list[tuple[str, str]]:
    """List ``(relative_path, sql_text)`` of every macro file in load order.

    Files are in path order, ``util/`` first, except that a file comes after the
    files defining the macros it calls, so the list runs top to bottom in any
    DuckDB session.
    """
    return list(_load_order())


@functools.cache
def _load_order() -> tuple[tuple[str, str], ...]:
    """Order the macro files by trying them in an in-memory DuckDB session.

    DuckDB binds a macro's body when the macro is created, so a file that calls a
    macro of a later file fails at first and is tried again after the others.
    """
    pending = _files_by_path()
    ordered = []
    with duckdb.connect() as con:
        while pending:
            failed = []
            for name, text in pending:
                try:
                    con.execute(_as_temp(text))
                except duckdb.CatalogException as exc:
                    failed.append((name, text, exc))
                else:
                    ordered.append((name, text))
            if len(failed) == len(pending):
                name, _, exc = failed[0]
                raise RuntimeError(f"macro file sql/{name} failed to load: {exc}") from exc
            pending = [(name, text) for name, text, _ in failed]
    return tuple(ordered)


def _files_by_path() -> list[tuple[str, str]]:
    root = importlib.resources.files("sql")
    found = []
    for family in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(p for p in family.iterdir() if p.name.endswith(".sql")):
            found.append((f"{family.name}/{path.name}", path.read_text(encoding="utf-8")))
    found.sort(key=lambda item: (item[0].split("/")[0] not in _FAMILY_ORDER, item[0]))
    return found


def macros_sql() -> str:
    """Concatenate every macro file into one script a plain DuckDB session can ``.read``.

    The script creates temporary macros, so it also loads into a read-only
    session and leaves the catalog file unchanged.
    """
    parts = [f"-- sql/{name}\n{_as_temp(text).strip()}\n" for name, text in macro_files()]
    return "\n".join(parts)


_CREATE_MACRO = re.compile(r"^(\s*create\s+or\s+replace)\s+macro\b", re.IGNORECASE | re.MULTILINE)


def _as_temp(text: str) -> str:
    return _CREATE_MACRO.sub(r"\1 temp macro", text)


def load_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create every sqlrec macro in ``con`` as a temporary macro.

    Temporary macros live in the connection, not in the catalog file, so they
    load into read-only connections and opening a store never writes to it.
    """
    files = macro_files()
    for _, text in files:
        con.execute(_as_temp(text))
    _log.debug("loaded %d macro files", len(files))
