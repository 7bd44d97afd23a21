"""The report of one ingest: rows loaded and rejected per table."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

# Order in which tables are loaded and reported: interactions are checked against
# the items, and name users, so they come last.
TABLE_ORDER = ("items", "users", "interactions")


@dataclass
class IngestReport:
    """Counts of one ingest, per catalog table.

    Attributes
    ----------
    sources : dict of str to str
        Input file (or the name given to an Arrow table) per table.
    loaded : dict of str to int
        Rows inserted or updated per table, from that table's input.
    updated : dict of str to int
        Rows of ``loaded`` that replaced an item or user with the same id.
    rejected : dict of str to int
        Rows written to the ``rejects`` table, per table.
    reasons : dict of str to dict of str to int
        Rejected rows per table and reason, such as ``{"users": {"empty line": 1}}``.
    ignored_columns : dict of str to list of str
        Input columns that no catalog column stores (extra interaction columns).
    created_users : int
        Users added with null columns because only the interactions named them.
    seconds : float
        Wall time of the whole ingest.
    """

    sources: dict[str, str] = field(default_factory=dict)
    loaded: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, dict[str, int]] = field(default_factory=dict)
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    created_users: int = 0
    seconds: float = 0.0

    def add(
        self,
        table: str,
        source: str,
        *,
        loaded: int,
        updated: int,
        reasons: collections.Counter[str],
        ignored_columns: list[str],
    ) -> None:
        """Record the counts of one input."""
        self.sources[table] = source
        self.loaded[table] = loaded
        self.updated[table] = updated
        self.rejected[table] = sum(reasons.values())
        self.reasons[table] = dict(sorted(reasons.items()))
        if ignored_columns:
            self.ignored_columns[table] = list(ignored_columns)

    def tables(self) -> list[str]:
        """Return the reported tables in load order."""
        return [table for table in TABLE_ORDER if table in self.sources]

    def reason_counts(self) -> dict[str, int]:
        """Count rejected rows per reason over all tables."""
        total: collections.Counter[str] = collections.Counter()
        for counts in self.reasons.values():
            total.update(counts)
        return dict(sorted(total.items()))

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready data, one entry per table."""
        tables = {
            table: {
                "source": self.sources[table],
                "loaded": self.loaded[table],
                "updated": self.updated[table],
                "rejected": self.rejected[table],
                "reasons": dict(self.reasons[table]),
                "ignored_columns": list(self.ignored_columns.get(table, [])),
            }
            for table in self.tables()
        }
        return {
            "tables": tables,
            "loaded": sum(self.loaded.values()),
            "rejected": sum(self.rejected.values()),
            "reasons": self.reason_counts(),
            "created_users": self.created_users,
            "seconds": round(self.seconds, 3),
        }
