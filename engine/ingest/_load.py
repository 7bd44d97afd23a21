"""Load parsed inputs into the catalog, all in one transaction.

Items and users are upserted by id and interactions appended. Every row that is
not loaded goes to ``rejects`` with its reason. Any error rolls the whole ingest
back, so a failed ingest leaves the catalog as it was.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Sequence

import duckdb

from engine.errors import IngestError
from engine.ingest import _rejects as reasons
from engine.ingest._entities import load_entities
from engine.ingest._interactions import load_interactions
from engine.ingest._rejects import insert_parse_rejects
from engine.ingest._report import TABLE_ORDER, IngestReport
from engine.ingest._schema import create_core_tables
from engine.ingest._source import CHECKED, INPUT, Source

_log = logging.getLogger(__name__)

_ENTITY_DDL = """
create table if not exists items (item_id bigint primary key);
create table if not exists users (user_id bigint primary key);
"""

# The next step to suggest when most rows of an input were rejected for one reason.
_HINTS = {
    reasons.UNKNOWN_ITEM: "load the items first, or pass them with --items FILE",
    reasons.DUPLICATE_INTERACTION: "every interaction is already in the store",
    reasons.invalid("timestamp"): "timestamps must be unix seconds or ISO-8601 text",
    reasons.WRONG_COLUMN_COUNT: "check the delimiter and the quoting",
    reasons.INVALID_ENCODING: "save the file as UTF-8",
}


def load_sources(store, sources: Sequence[Source]) -> IngestReport:
    """Load ``sources`` into the catalog of ``store`` in one transaction.

    Items and users load before interactions, which are checked against them.

    Raises
    ------
    IngestError
        When nothing of one input could be loaded, or DuckDB failed. The
        transaction is rolled back first.
    """
    start = time.perf_counter()
    report = IngestReport()
    ordered = sorted(sources, key=lambda source: TABLE_ORDER.index(source.table))
    with store.writer() as con:
        # Text without an offset is read as UTC, and timestamptz converts to UTC.
        con.execute("set TimeZone = 'UTC'")
        con.execute("begin transaction")
        current = None
        try:
            create_core_tables(con)
            con.execute(_ENTITY_DDL)
            for current in ordered:
                _load_source(con, current, report)
            con.execute("commit")
        except duckdb.Error as exc:
            _rollback(con)
            name = current.name if current is not None else store.catalog_path
            raise IngestError(f"failed to load {name}: {exc}") from exc
        except BaseException:
            _rollback(con)
            raise

    report.seconds = time.perf_counter() - start
    _log.info(
        "ingest loaded %d rows and rejected %d in %.2fs",
        sum(report.loaded.values()),
        sum(report.rejected.values()),
        report.seconds,
    )
    return report


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("rollback")
    except duckdb.Error as exc:
        # DuckDB has already ended a transaction that failed at commit.
        _log.debug("rollback after a failed ingest: %s", exc)


def _load_source(
    con: duckdb.DuckDBPyConnection, source: Source, report: IngestReport
) -> None:
    start = time.perf_counter()

    # After an error the rollback drops the temporary table and closing the
    # connection drops the view, so both are removed here on success only.
    con.register(INPUT, source.rows)
    types = {
        name: type_name
        for name, type_name, *_ in con.execute(f"describe {INPUT}").fetchall()
    }
    if source.table == "interactions":
        counts = load_interactions(con, source, types)
    else:
        counts = load_entities(con, source, types)
    con.execute(f"drop table {CHECKED}")
    con.unregister(INPUT)

    insert_parse_rejects(con, source.name, source.rejects)
    counts.reasons.update(source.rejects.counts())
    if counts.loaded == 0:
        raise _nothing_loaded(source, counts.reasons)

    report.add(
        source.table,
        source.name,
        loaded=counts.loaded,
        updated=counts.updated,
        reasons=counts.reasons,
        ignored_columns=source.ignored_columns,
    )
    report.created_users += counts.created_users
    _log.info(
        "%s: loaded %d (%d updated) and rejected %d rows of %s in %.2fs",
        source.table,
        counts.loaded,
        counts.updated,
        sum(counts.reasons.values()),
        source.name,
        time.perf_counter() - start,
    )


def _nothing_loaded(source: Source, counts: collections.Counter[str]) -> IngestError:
    if not counts:
        return IngestError(
            f"nothing could be loaded: {source.name} has no rows (add rows to the file)"
        )
    summary = ", ".join(f"{reason}: {count}" for reason, count in counts.most_common())
    message = (
        f"nothing could be loaded from {source.name}: "
        f"{sum(counts.values())} rows rejected ({summary})"
    )
    hint = _HINTS.get(counts.most_common(1)[0][0])
    return IngestError(f"{message}; {hint}" if hint else message)
