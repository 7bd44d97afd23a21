"""The update step: bring the active item table in line with the catalog, then promote.

``sqlrec index`` embeds the whole catalog into a new table. Between two builds,
items arrive in and leave the catalog. ``update_index`` embeds only the new ones
with the active version's item tower, appends them and deletes the items that
left. It then promotes a manifest that pins the new table version, so every
handle and process serves the change from its next request.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from engine.errors import NotBuiltError
from engine.index._build import embed_items, promote_index
from engine.index._filters import ENGINE_COLUMNS
from engine.index._table import ItemIndex

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexUpdate:
    """Result of :func:`update_index`: the active manifest and the change counts."""

    manifest: dict
    added_count: int
    deleted_count: int

    def to_dict(self) -> dict:
        return {
            "added_count": self.added_count,
            "deleted_count": self.deleted_count,
            "manifest": self.manifest,
        }


def update_index(store, *, progress=None) -> IndexUpdate:
    """Add new catalog items to the active item table, delete removed ones, promote.

    Items in the catalog but not in the table are embedded with the active
    version's item tower (ONNX) and appended. Items in the table but not in the
    catalog are deleted, including rows written with ``ItemIndex.add_items``
    alone. Appended rows are scored on every query until they pass
    ``UNASSIGNED_MAX_FRACTION`` of the table, when they are assigned to the
    existing IVF partitions. The new manifest is promoted by an atomic rename.

    Only ids are compared. An item whose metadata changed in the catalog keeps
    its old row and vector until the next full build (``sqlrec index``).

    Embedding and the checks of the new rows run before any write, so a tower
    or catalog error leaves the table and the manifest as they were. A failure
    after a write leaves the manifest pinned to the old table version, and the
    next update repairs the latest table version from the catalog.

    Returns
    -------
    IndexUpdate
        The active manifest (unchanged when nothing changed) and the counts.

    Raises
    ------
    NotBuiltError
        When no version is active, or the catalog's item columns differ from
        the table's, which needs a full build (``sqlrec index``).
    """
    with store.lock():
        started = time.perf_counter()
        manifest = store.manifest()
        if manifest is None:
            raise NotBuiltError(
                f'no active model version in {store.path} (run "sqlrec index" first)'
            )
        with store.connect() as con:
            items = con.sql("select * from items order by item_id").to_arrow_table()
        index = ItemIndex(store.lance_path, manifest["item_table"])
        _check_columns(items, index.schema, manifest)

        # Compare the catalog's ids with the latest table version's.
        indexed_ids = index.table.to_lance().to_table(columns=["item_id"])
        indexed_ids = indexed_ids.column("item_id").to_numpy()
        catalog_ids = items.column("item_id").to_numpy()
        new = ~np.isin(catalog_ids, indexed_ids)
        removed_ids = indexed_ids[~np.isin(indexed_ids, catalog_ids)]
        if not new.any() and not len(removed_ids):
            if index.table.version == manifest.get("item_table_version"):
                _log.info("index of %s is up to date", manifest["version"])
                return IndexUpdate(manifest, 0, 0)

        # Append before deleting, because add_items checks every row before it
        # writes, so a bad row stops the update before any write.
        new_items = items.filter(pa.array(new))
        if new_items.num_rows:
            version_path = store.version_path(manifest["version"])
            embeddings = embed_items(version_path, new_items, progress)
            index.add_items(new_items, embeddings)
        if len(removed_ids):
            index.delete_items(removed_ids)

        updated = dict(
            manifest,
            item_table_version=index.table.version,
            item_count=index.row_count(),
            promoted_at=dt.datetime.now(dt.timezone.utc).isoformat(),
        )
        promote_index(store, updated)
    _log.info(
        "updated the index of %s in %.1fs: %d items added, %d deleted",
        manifest["version"],
        time.perf_counter() - started,
        new_items.num_rows,
        len(removed_ids),
    )
    return IndexUpdate(updated, new_items.num_rows, len(removed_ids))


def _check_columns(items: pa.Table, schema: pa.Schema, manifest: dict) -> None:
    """Raise unless the catalog's item columns are the table's metadata columns."""
    indexed = {name for name in schema.names if name not in ENGINE_COLUMNS}
    catalog = set(items.column_names)
    if indexed != catalog:
        added = ", ".join(sorted(catalog - indexed)) or "none"
        dropped = ", ".join(sorted(indexed - catalog)) or "none"
        raise NotBuiltError(
            f"the item columns of the catalog changed since {manifest['item_table']} "
            f"was built (new: {added}; gone: {dropped}), so rebuild it with "
            '"sqlrec index"'
        )

