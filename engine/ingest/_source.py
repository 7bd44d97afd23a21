"""A parsed input waiting for the load, and the SQL pieces that check its rows.

The load registers the input's Arrow table as a view and converts its columns
with the expressions of :mod:`engine.ingest._convert`. Each input row becomes one
row of a temporary table with the converted values and a reason, which is NULL
when the row loads.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import NamedTuple

import pyarrow as pa

from engine.ingest import _rejects as reasons
from engine.ingest._convert import literal, quote
from engine.ingest._rejects import LINE, RAW, RejectRows

ID_COLUMNS = {"items": "item_id", "users": "user_id"}

# The view of the input and the temporary table of its checked rows.
INPUT = "_ingest_input"
CHECKED = "_ingest_checked"


@dataclass
class Source:
    """One parsed input, waiting to be checked against the catalog.

    Attributes
    ----------
    table : str
        Catalog table it loads into: ``items``, ``users`` or ``interactions``.
    name : str
        Name recorded in ``rejects.source`` and used in messages.
    rows : pyarrow.Table
        The input columns plus the line number and raw text columns.
    columns : dict of str to str
        Input column of each fixed catalog column (the id of items and users;
        ``user_id, item_id, timestamp`` and optionally ``weight, device``).
    rejects : RejectRows
        Rows rejected while parsing.
    infer_types : bool
        Whether new text columns get a type inferred from their values (CSV).
    types : dict of str to str
        DuckDB type of named new metadata columns, overriding inference.
    list_columns : frozenset of str
        Text columns to split on ``|`` into ``VARCHAR[]``.
    ignored_columns : list of str
        Input columns that no catalog column stores.
    """

    table: str
    name: str
    rows: pa.Table
    columns: dict[str, str]
    rejects: RejectRows = field(default_factory=RejectRows)
    infer_types: bool = False
    types: dict[str, str] = field(default_factory=dict)
    list_columns: frozenset[str] = frozenset()
    ignored_columns: list[str] = field(default_factory=list)


class LoadCounts(NamedTuple):
    """Counts of one loaded input."""

    loaded: int
    updated: int
    reasons: collections.Counter[str]
    created_users: int = 0


def raw_expression(source: Source) -> str:
    """Render a rejected row over alias ``i``: its raw text, or JSON of its values."""
    fields = ", ".join(
        f"{quote(name)} := i.{quote(name)}"
        for name in source.rows.column_names
        if name not in (LINE, RAW)
    )
    return f"coalesce(i.{RAW}, cast(to_json(struct_pack({fields})) as varchar))"


def reason_case(checks: list[tuple[str, str]]) -> str:
    """Build a ``case`` giving the reason of the first failed check, else NULL."""
    branches = " ".join(
        f"when {condition} then {literal(reason)}" for condition, reason in checks
    )
    return f"case {branches} end"


def required_checks(
    column: str, source_column: str, value: str
) -> list[tuple[str, str]]:
    """Return the checks of a required column: present, and converted."""
    return [
        (f"{quote(source_column)} is null", reasons.missing(column)),
        (f"({value}) is null", reasons.invalid(column)),
    ]
