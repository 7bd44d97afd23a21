"""Every macro file loads on its own and defines a lower-case macro of its name."""

from __future__ import annotations

import re

import duckdb
import pytest

from engine._macros import macro_files

FILES = macro_files()
UTILITIES = [text for name, text in FILES if name.startswith("util/")]


def test_macro_files_found():
    families = {name.split("/")[0] for name, _ in FILES}

    assert {"util", "evaluation"} <= families


@pytest.mark.parametrize(("name", "text"), FILES, ids=[name for name, _ in FILES])
def test_macro_file_defines_its_name(name, text):
    macro = name.rsplit("/", 1)[1].removesuffix(".sql")
    con = duckdb.connect()
    for utility in UTILITIES:
        con.execute(utility)

    # Other families' helpers may be called, so load every file of this family
    # that sorts before this one, as the loader does.
    family = name.split("/")[0]
    for other, other_text in FILES:
        if other.startswith(f"{family}/") and other < name and family != "util":
            con.execute(other_text)
    con.execute(text)
    defined = con.execute(
        "select distinct function_name from duckdb_functions() "
        "where function_type in ('macro', 'table_macro') and function_name = ?",
        [macro],
    ).fetchall()

    assert macro == macro.lower()
    assert defined == [(macro,)]


@pytest.mark.parametrize(("name", "text"), FILES, ids=[name for name, _ in FILES])
def test_macro_file_header(name, text):
    macro = name.rsplit("/", 1)[1].removesuffix(".sql")

    header = text.splitlines()[0]
    statement = re.search(r"^create or replace macro (\w+)\(", text, re.MULTILINE)

    assert header.startswith(f"-- {macro}(")
    assert "-- Example:" in text
    assert statement is not None and statement.group(1) == macro
