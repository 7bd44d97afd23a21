"""Rejected input rows: the reasons, and the rows collected before the load.

Every row an ingest does not load lands in the ``rejects`` table with its source,
line, reason and raw text. The line is 1-based as a text editor shows it, or the
row number in a Parquet file or Arrow table.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

# Columns the ingest adds to every parsed input and to its checked rows; input
# columns may not use these names.
LINE = "_sqlrec_line"
RAW = "_sqlrec_raw"
REASON = "_sqlrec_reason"
RESERVED = (LINE, RAW, REASON)

# Reasons found while splitting a text file into fields.
EMPTY_LINE = "empty line"
WRONG_COLUMN_COUNT = "wrong column count"
INVALID_ENCODING = "invalid encoding"
MALFORMED_ROW = "malformed row"

# Reasons found while checking interactions against the catalog.
UNKNOWN_ITEM = "unknown item"
DUPLICATE_INTERACTION = "duplicate interaction"


def missing(column: str) -> str:
    """Reason of a row whose ``column`` is empty although it is required."""
    return f"missing {column}"


def invalid(column: str) -> str:
    """Reason of a row whose ``column`` value does not convert to the column type."""
    return f"invalid {column}"


def duplicate(column: str) -> str:
    """Reason of a metadata row whose id appeared on an earlier line of its file."""
    return f"duplicate {column}"


@dataclass
class RejectRows:
    """Rows rejected while a file was parsed, before anything reached the catalog."""

    lines: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.lines)

    def add(self, line: int, reason: str, raw: str) -> None:
        """Record one rejected row."""
        self.lines.append(line)
        self.reasons.append(reason)
        self.raws.append(raw)

    def counts(self) -> collections.Counter[str]:
        """Count the rows per reason."""
        return collections.Counter(self.reasons)

    def to_arrow(self) -> pa.Table:
        """Return the rows as a table of ``line, reason, raw``."""
        return pa.table(
            {
                "line": pa.array(self.lines, pa.int64()),
                "reason": pa.array(self.reasons, pa.string()),
                "raw": pa.array(self.raws, pa.string()),
            }
        )


def insert_parse_rejects(
    con: duckdb.DuckDBPyConnection, source: str, rejects: RejectRows
) -> None:
    """Append the rows rejected while parsing ``source`` to the ``rejects`` table."""
    if not len(rejects):
        return
    view = "_ingest_parse_rejects"
    con.register(view, rejects.to_arrow())
    con.execute(
        f"insert into rejects (source, line, reason, raw) "
        f"select ?, line, reason, raw from {view} order by line",
        [source],
    )
    con.unregister(view)


def insert_checked_rejects(
    con: duckdb.DuckDBPyConnection,
    source: str,
    *,
    checked: str,
    rows: str,
    raw_expression: str,
) -> collections.Counter[str]:
    """Append the rows of ``checked`` with a reason to ``rejects``, and count them.

    ``checked`` contains the line number and reason of each input row. ``rows`` is
    the input itself, joined on the line number so that ``raw_expression`` (over
    the alias ``i``) can render the row.
    """
    con.execute(
        f"insert into rejects (source, line, reason, raw) "
        f"select ?, c.{LINE}, c.{REASON}, {raw_expression} "
        f"from {checked} as c join {rows} as i on i.{LINE} = c.{LINE} "
        f"where c.{REASON} is not null order by c.{LINE}",
        [source],
    )
    counted = con.execute(
        f"select {REASON}, count(*) from {checked} "
        f"where {REASON} is not null group by {REASON}"
    ).fetchall()
    return collections.Counter(dict(counted))
