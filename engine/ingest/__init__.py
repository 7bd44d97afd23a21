"""Ingest: load interactions, items and users into the catalog, rejecting bad rows.

Every row that is not loaded lands in the ``rejects`` table with its source, line,
reason and raw text. One ingest is one transaction, so a failed ingest leaves the
catalog as it was. Items and users are upserted by id, interactions appended.
"""

from engine.ingest._movielens import ingest_movielens
from engine.ingest._report import IngestReport
from engine.ingest._tabular import ingest_files

__all__ = ["IngestReport", "ingest_files", "ingest_movielens"]
