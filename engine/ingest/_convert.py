"""SQL expressions that convert input columns to catalog types, and type inference.

Input columns arrive either as text (CSV, TSV, the MovieLens files) or typed
(Parquet, Arrow). Every conversion is a ``try_cast``-style expression that gives
NULL where a value does not convert, so the load can reject that row with a
reason instead of failing. DuckDB's own casts from text are lenient (in DuckDB
2.0, ``'1.5'`` casts to the bigint 2 and ``'0x10'`` to 16), so text is matched
against a pattern first.
"""

from __future__ import annotations

import duckdb

INTEGER_TYPES = frozenset(
    {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
    }
)
FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE"})
TIMESTAMP_TYPES = frozenset(
    {
        "TIMESTAMP",
        "TIMESTAMP_S",
        "TIMESTAMP_MS",
        "TIMESTAMP_NS",
        "TIMESTAMP WITH TIME ZONE",
    }
)

# Patterns a text value must match before it is cast.
_INTEGER_TEXT = r"[+-]?[0-9]+"
_NUMBER_TEXT = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
# Inference is stricter: a leading zero keeps a column text, so zip codes and
# codes such as "007" are not turned into numbers.
_INFERRED_INTEGER = r"[+-]?(0|[1-9][0-9]*)"
_INFERRED_NUMBER = r"[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?"
_INFERRED_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

# NOTE: unix times beyond 1e11 s (the year 5138) are rejected as invalid, because
# such values are most likely milliseconds given where seconds were expected.
MAX_UNIX_SECONDS = 1e11

LIST_SEPARATOR = "|"


def quote(name: str) -> str:
    """Quote ``name`` as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """Quote ``text`` as a DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


def is_number_type(type_name: str) -> bool:
    """Tell whether a DuckDB type name is an integer, float or decimal type."""
    return (
        type_name in INTEGER_TYPES
        or type_name in FLOAT_TYPES
        or type_name.startswith("DECIMAL")
    )


def is_list_type(type_name: str) -> bool:
    """Tell whether a DuckDB type name is a list type such as ``VARCHAR[]``."""
    return type_name.endswith("[]")


def to_id(column: str, source_type: str) -> str:
    """Return an expression converting ``column`` to a bigint id, NULL if invalid."""
    if source_type == "VARCHAR" or is_number_type(source_type):
        return convert(column, source_type, "BIGINT")
    return "cast(null as bigint)"


def to_timestamp(column: str, source_type: str) -> str:
    """Return an expression converting ``column`` to a UTC ``timestamp``.

    Numbers and numeric text are unix seconds; other text is ISO-8601, read as UTC
    unless it carries an offset. The session time zone must be UTC, because DuckDB
    casts ``timestamptz`` to ``timestamp`` in that zone.
    """
    if source_type == "VARCHAR":
        return _timestamp_from_text(column)
    if is_number_type(source_type):
        return _from_unix(f"cast({column} as double)")
    if source_type in TIMESTAMP_TYPES or source_type == "DATE":
        return f"try_cast({column} as timestamp)"
    return "cast(null as timestamp)"


def convert(column: str, source_type: str, target_type: str) -> str:
    """Return an expression converting ``column`` to ``target_type``, else NULL."""
    if source_type == target_type:
        return column
    if source_type == "VARCHAR":
        return _from_text(column, target_type)
    if target_type in INTEGER_TYPES and is_number_type(source_type):
        # A cast would round 1.5 to 2, so only whole numbers convert.
        whole = f"{column} = trunc({column})"
        return f"case when {whole} then try_cast({column} as {target_type}) end"
    if target_type in TIMESTAMP_TYPES and is_number_type(source_type):
        return f"try_cast({_from_unix(f'cast({column} as double)')} as {target_type})"
    return f"try_cast({column} as {target_type})"


def invalid_condition(
    column: str, value: str, source_type: str, target_type: str
) -> str:
    """Return a condition that is true where ``value`` lost a value of ``column``."""
    condition = f"({column} is not null and ({value}) is null)"
    if is_list_type(target_type) and source_type == "VARCHAR":
        condition += f" or len(list_filter({value}, lambda x: x is null)) > 0"
    return condition


def _from_text(column: str, target_type: str) -> str:
    text = f"trim({column})"
    if target_type in INTEGER_TYPES:
        return (
            f"case when regexp_full_match({text}, '{_INTEGER_TEXT}') "
            f"then try_cast({text} as {target_type}) end"
        )
    if target_type in FLOAT_TYPES or target_type.startswith("DECIMAL"):
        return (
            f"case when regexp_full_match({text}, '{_NUMBER_TEXT}') "
            f"then try_cast({text} as {target_type}) end"
        )
    if target_type == "BOOLEAN":
        return f"case lower({text}) when 'true' then true when 'false' then false end"
    if target_type in TIMESTAMP_TYPES:
        return f"try_cast({_timestamp_from_text(column)} as {target_type})"
    if is_list_type(target_type):
        return _split_list(column, target_type[:-2])
    return f"try_cast({text} as {target_type})"


def _split_list(column: str, element_type: str) -> str:
    """Split ``|``-separated text into a list, dropping blank elements."""
    parts = (
        f"list_filter(list_transform(string_split({column}, '{LIST_SEPARATOR}'), "
        f"lambda x: trim(x)), lambda x: x <> '')"
    )
    if element_type == "VARCHAR":
        return parts
    return f"list_transform({parts}, lambda x: {_from_text('x', element_type)})"


def _timestamp_from_text(column: str) -> str:
    text = f"trim({column})"
    return (
        f"case when regexp_full_match({text}, '{_NUMBER_TEXT}') "
        f"then {_from_unix(f'try_cast({text} as double)')} "
        f"else try_cast(try_cast({text} as timestamptz) as timestamp) end"
    )


def _from_unix(seconds: str) -> str:
    return (
        f"case when abs({seconds}) < {MAX_UNIX_SECONDS:.0f} "
        f"then make_timestamp(cast(round({seconds} * 1000000) as bigint)) end"
    )


def infer_text_types(
    con: duckdb.DuckDBPyConnection,
    view: str,
    columns: list[str],
    list_columns: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Choose a DuckDB type for each text column of ``view`` from all of its values.

    A column is ``VARCHAR[]`` when it is named in ``list_columns`` or any value
    contains ``|``. Otherwise it is the first of ``INTEGER`` (``BIGINT`` past 32
    bits), ``DOUBLE``, ``BOOLEAN`` (``true``/``false`` in any case) and ``DATE``
    (``YYYY-MM-DD``) that every non-empty value reads as, else ``VARCHAR``.
    Columns without values are ``VARCHAR``.
    """
    if not columns:
        return {}
    checks = []
    for name in columns:
        column = quote(name)
        text = f"trim({column})"
        present = f"filter (where {column} is not null)"
        checks += [
            f"count({column})",
            f"coalesce(bool_or(contains({column}, '{LIST_SEPARATOR}')), false)",
            f"bool_and(regexp_full_match({text}, '{_INFERRED_INTEGER}')) {present}",
            f"bool_and(try_cast({text} as integer) is not null) {present}",
            f"bool_and(try_cast({text} as bigint) is not null) {present}",
            f"bool_and(regexp_full_match({text}, '{_INFERRED_NUMBER}')) {present}",
            f"bool_and(lower({text}) in ('true', 'false')) {present}",
            f"bool_and(regexp_full_match({text}, '{_INFERRED_DATE}') "
            f"and try_cast({text} as date) is not null) {present}",
        ]
    row = con.execute(f"select {', '.join(checks)} from {view}").fetchone()
    width = len(checks) // len(columns)
    return {
        name: _pick_type(name in list_columns, row[i * width : (i + 1) * width])
        for i, name in enumerate(columns)
    }


def _pick_type(named_list: bool, checks: tuple) -> str:
    (
        value_count,
        has_separator,
        integer,
        fits_int,
        fits_bigint,
        number,
        boolean,
        date,
    ) = checks
    if named_list or has_separator:
        return "VARCHAR[]"
    if value_count == 0:
        return "VARCHAR"
    if integer:
        if fits_int:
            return "INTEGER"
        # Integers past 64 bits stay text rather than lose digits as doubles.
        return "BIGINT" if fits_bigint else "VARCHAR"
    if number:
        return "DOUBLE"
    if boolean:
        return "BOOLEAN"
    if date:
        return "DATE"
    return "VARCHAR"
