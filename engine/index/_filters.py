"""Metadata filters for the item table, compiled to LanceDB SQL from validated values.

LanceDB's ``where()`` takes a raw SQL string, so a filter pasted from user text
could read rows it should not. Here every filter is a structured value: its
column must exist in the table's schema, its operator must suit the column's
type, and its value is converted to that type and rendered as a quoted literal.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCALAR_OPS = ("=", "!=", "<", "<=", ">", ">=", "in", "not in")
_LIST_OPS = ("any", "all")
#: Columns the engine writes beside the item metadata; they cannot be filtered on.
ENGINE_COLUMNS = ("vector", "ivf_partition")
# Operators of the text syntax, longest first, so "<=" is not read as "<".
_TEXT_OPS = ("!=", "<=", ">=", "=", "<", ">", "~")
_SYNTAX = (
    "expected COLUMN OP VALUE with OP one of = != < <= > >= ~ "
    "(for example year>=1990 or genres~Horror)"
)


@dataclass(frozen=True)
class Filter:
    """One condition on an item column.

    Parameters
    ----------
    column : str
        Column of the item table.
    op : str
        ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in`` (one of the values),
        ``not in`` (none of them) for scalar columns;
        ``any`` (the list contains at least one of the values) or ``all`` for list
        columns such as genres and actors.
    value : object
        A scalar, or a list of values for ``in``, ``not in``, ``any`` and ``all``.
    """

    column: str
    op: str
    value: Any

    @classmethod
    def parse(cls, text: str) -> Filter:
        """Read a filter written as ``COLUMN OP VALUE``.

        Examples: ``year>=1990``, ``christmas=true``, ``channel=C1|C2`` (one of
        several values), ``channel!=C1|C2`` (none of them), ``genres~Horror`` (the
        list column contains the value), ``genres~Horror|Comedy`` (contains any of
        them), ``genres~Horror&Comedy`` (contains all of them). Date columns take
        ISO dates, such as ``release_date<1995-06-01`` on a MovieLens catalogue.

        The text is split at the first operator, so ``title=a!=b`` compares the
        title with ``a!=b``. Spaces around the column, the value and each listed
        value are dropped.
        """
        if not isinstance(text, str):
            raise TypeError(f"invalid filter: {text!r}, expected a str such as 'year>=1990'")
        position, token = _first_operator(text)
        column = text[:position].strip() if position >= 0 else ""
        if not column:
            raise ValueError(f"invalid filter: {text!r}, {_SYNTAX}")
        value = text[position + len(token) :]

        if token == "~":
            if "|" in value and "&" in value:
                raise ValueError(
                    f"invalid filter: {text!r}, a list filter takes | (any of) or & "
                    "(all of) but not both, so write two filters for a mix"
                )
            op, separator = ("all", "&") if "&" in value else ("any", "|")
            return cls(column, op, _split_values(text, value, separator))
        if "|" in value:
            if token not in ("=", "!="):
                raise ValueError(
                    f"invalid filter: {text!r}, several values (A|B) work only with "
                    f"= (one of) and != (none of), not with {token}"
                )
            op = "in" if token == "=" else "not in"
            return cls(column, op, _split_values(text, value, "|"))
        return cls(column, token, _split_values(text, value, None)[0])


def _first_operator(text: str) -> tuple[int, str]:
    """Find the first operator in ``text``, the longest one at that position.

    Returns
    -------
    position : int
        Index of the operator, or -1 when there is none.
    token : str
    """
    for position in range(len(text)):
        for token in _TEXT_OPS:
            if text.startswith(token, position):
                return position, token
    return -1, ""


def _split_values(text: str, value: str, separator: str | None) -> list[str]:
    """Split ``value`` at ``separator`` and strip spaces, rejecting empty values."""
    values = [v.strip() for v in (value.split(separator) if separator else [value])]
    if any(not v for v in values):
        raise ValueError(
            f"invalid filter: {text!r}, a value is empty, so write a value after the "
            "operator and between separators"
        )
    return values


def as_filters(filters) -> list[Filter]:
    """Return ``filters`` as a list of :class:`Filter`, parsing text with ``parse``.

    Accepts ``None``, one ``Filter``, one str, or a list or tuple of them.

    Raises
    ------
    TypeError
        For any other value.
    """
    if filters is None:
        return []
    if isinstance(filters, (Filter, str)):
        filters = [filters]
    if not isinstance(filters, (list, tuple)) or not all(
        isinstance(f, (Filter, str)) for f in filters
    ):
        raise TypeError(
            f"invalid filters: {filters!r}, expected a Filter, a str such as "
            "'year>=1990', or a list of them"
        )
    return [Filter.parse(f) if isinstance(f, str) else f for f in filters]


def compile_filters(filters: list[Filter] | tuple[Filter, ...], schema: pa.Schema) -> str | None:
    """Compile ``filters`` (joined by AND) into a LanceDB ``where`` string, or ``None``.

    Raises
    ------
    ValueError
        For an unknown column, an operator that does not suit the column's type,
        or a value that does not convert to the column's type.
    """
    clauses = [_compile_one(f, schema) for f in filters]
    return " AND ".join(clauses) if clauses else None


def _compile_one(f: Filter, schema: pa.Schema) -> str:
    kind = check_filter(f, schema)
    column = f"`{f.column}`"
    if is_list_type(kind):
        literals = ", ".join(_literal(v, kind.value_type, f.column) for v in as_list(f))
        return f"array_has_{f.op}({column}, [{literals}])"
    if f.op in ("in", "not in"):
        literals = ", ".join(_literal(v, kind, f.column) for v in as_list(f))
        return f"{column} {f.op.upper()} ({literals})"
    return f"{column} {f.op} {_literal(f.value, kind, f.column)}"


def check_filter(f: Filter, schema: pa.Schema) -> pa.DataType:
    """Check that ``f`` names a filterable column with a suitable operator.

    Returns
    -------
    pyarrow.DataType
        The column's type.
    """
    if not isinstance(f.column, str) or not _IDENTIFIER.match(f.column):
        raise ValueError(f"invalid filter column: {f.column!r}, expected a column name")
    if f.column not in schema.names or f.column in ENGINE_COLUMNS:
        names = ", ".join(n for n in schema.names if n not in ENGINE_COLUMNS)
        raise ValueError(f"unknown filter column: {f.column!r}, expected one of {names}")
    kind = schema.field(f.column).type

    if is_list_type(kind):
        if f.op not in _LIST_OPS:
            raise ValueError(
                f"invalid operator {_as_written(f.op)} for list column {f.column}, "
                f"expected any or all (written {f.column}~A|B for any, "
                f"{f.column}~A&B for all)"
            )
    elif f.op not in _SCALAR_OPS:
        raise ValueError(
            f"invalid operator {_as_written(f.op)} for column {f.column}, which is "
            f"not a list, expected one of {', '.join(_SCALAR_OPS)} (in the filter "
            f"text: {f.column}=A|B for in, {f.column}!=A|B for not in; ~ works on "
            "list columns only)"
        )
    return kind


def _as_written(op) -> str:
    """Name operator ``op`` with the filter text that produces it, such as ~ for any."""
    written = {"any": "~A|B", "all": "~A&B", "in": "=A|B", "not in": "!=A|B"}
    return f"{written[op]} ({op!r})" if op in written else repr(op)


def is_list_type(kind: pa.DataType) -> bool:
    return pa.types.is_list(kind) or pa.types.is_large_list(kind)


def as_list(f: Filter) -> list:
    values = list(f.value) if isinstance(f.value, (list, tuple, set, frozenset)) else [f.value]
    if not values:
        raise ValueError(f"empty value list for filter on {f.column}, expected at least one")
    return values


def _literal(value: Any, kind: pa.DataType, column: str) -> str:
    """Convert ``value`` to the column's type and render it as a SQL literal."""
    value = convert_value(value, kind, column)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    return f"date '{value.isoformat()}'"


def convert_value(value: Any, kind: pa.DataType, column: str) -> Any:
    """Convert a filter value to the Python type of a ``kind`` column.

    Raises
    ------
    ValueError
        When the value does not convert, an integer is outside the range of
        ``kind``, or filters on ``kind`` are not supported.
    """
    try:
        converted = _convert(value, kind)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(
            f"invalid filter value for {column}: {value!r}, expected {_describe(kind)}"
        ) from None
    except NotImplementedError:
        raise ValueError(
            f"filters on column {column} of type {kind} are not supported"
        ) from None

    if pa.types.is_integer(kind):
        low, high = _integer_range(kind)
        if not low <= converted <= high:
            raise ValueError(
                f"invalid filter value for {column}: {value!r}, expected an integer "
                f"from {low} to {high} (the range of its type {kind})"
            )
    return converted


def _convert(value: Any, kind: pa.DataType) -> Any:
    if pa.types.is_boolean(kind):
        return _to_bool(value)
    if pa.types.is_integer(kind):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        return int(value)
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError
        return number
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        if not isinstance(value, str) or "\x00" in value:
            raise ValueError
        return value
    if pa.types.is_date(kind):
        return _to_date(value)
    if pa.types.is_timestamp(kind):
        return _to_datetime(value)
    raise NotImplementedError


def _integer_range(kind: pa.DataType) -> tuple[int, int]:
    """Return the smallest and largest value of an Arrow integer type."""
    bits = kind.bit_width
    if pa.types.is_unsigned_integer(kind):
        return 0, 2**bits - 1
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _describe(kind: pa.DataType) -> str:
    if pa.types.is_boolean(kind):
        return "true or false"
    if pa.types.is_integer(kind):
        return "an integer"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "a finite number"
    if pa.types.is_date(kind):
        return "a date such as 1995-01-31"
    if pa.types.is_timestamp(kind):
        return "a time such as 1995-01-31T20:00:00"
    return "text"


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def _to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        moment = dt.datetime.fromisoformat(str(value).strip())
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError
