"""The item_vectors view: the active version's LanceDB item table inside DuckDB."""

from __future__ import annotations

import logging

import duckdb

_log = logging.getLogger(__name__)

ITEM_VECTORS_VIEW = "item_vectors"


def register_item_vectors(con: duckdb.DuckDBPyConnection, store) -> bool:
    """Register the active version's item table as the view ``item_vectors``.

    The view reads the Lance dataset through Arrow, pinned to the table version
    the manifest records, so it shows exactly the rows serving uses: every
    column of ``items`` at index time plus ``vector`` (``FLOAT[embedding_size]``).
    DuckDB pushes column selections and simple filters down to the dataset.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection to register the view in.
    store : Store
        The store whose manifest names the table.

    Returns
    -------
    bool
        Whether the view was registered: ``False`` when no version is active,
        the manifest names no item table, or the table cannot be opened (logged
        as a warning). A missing or stale table does not stop the catalog from
        opening.
    """
    manifest = store.manifest()
    table_name = (manifest or {}).get("item_table")
    if not isinstance(table_name, str):
        # No version is active, or the active one was never indexed.
        return False

    # NOTE: DuckDB reads a registered object's schema at once, so the dataset is
    # opened here and not on the first query. That took about 10 ms for a 300-item
    # table, plus the import of lancedb (about 1.2 s) on a process's first
    # catalog connection once a version is indexed.
    import lancedb

    try:
        table = lancedb.connect(str(store.lance_path)).open_table(table_name)
        if manifest.get("item_table_version") is not None:
            table.checkout(manifest["item_table_version"])
        dataset = table.to_lance()
    except (ValueError, OSError, RuntimeError) as exc:
        _log.warning(
            "failed to open item table %s of version %s, so %s is missing "
            '(rebuild it with "sqlrec index"): %s',
            table_name,
            manifest.get("version"),
            ITEM_VECTORS_VIEW,
            exc,
        )
        return False
    con.register(ITEM_VECTORS_VIEW, dataset)
    _log.debug("registered %s over %s", ITEM_VECTORS_VIEW, table_name)
    return True
