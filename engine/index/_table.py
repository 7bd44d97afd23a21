"""The LanceDB item table of one model version: embeddings beside item metadata.

Serving requests the items with the highest dot product with a query vector,
with metadata filters applied before ranking. One of two search paths runs:

- the vector index (IVF partitions, each an HNSW graph over 8-bit scalar
  quantised vectors) with the filter applied as a prefilter, for broad filters;
- an exact scan over the rows that match the filter, when they are few or when
  the index returned fewer rows than requested.

Scores are always exact dot products recomputed from the stored float32 vectors;
LanceDB's ``_distance`` never leaves this module.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.index import BTree, Bitmap, IvfHnswSq, LabelList

from engine.index._filters import Filter, compile_filters

_log = logging.getLogger(__name__)

#: Filters that match at most this many rows use an exact scan.
EXACT_SCAN_MAX_ROWS = 4096
#: Tables smaller than this get no vector index: an exact scan is as fast.
VECTOR_INDEX_MIN_ROWS = 1024
#: Most distinct values of a string column that still gets a bitmap index.
BITMAP_MAX_VALUES = 1000


class ItemIndex:
    """Handle on one LanceDB item table.

    Parameters
    ----------
    lance_path : Path
        The store's LanceDB directory.
    table_name : str
        Table of the model version.
    table_version : int, optional
        Pin a table version (the manifest records it), so that a reader sees
        exactly the rows of the promoted version.
    """

    def __init__(self, lance_path: Path, table_name: str, table_version: int | None = None):
        self.lance_path = Path(lance_path)
        self.table_name = table_name
        self.table_version = table_version
        self._table = None

    @property
    def table(self):
        if self._table is None:
            db = lancedb.connect(str(self.lance_path))
            table = db.open_table(self.table_name)
            if self.table_version is not None:
                table.checkout(self.table_version)
            self._table = table
        return self._table

    @property
    def schema(self) -> pa.Schema:
        return self.table.schema

    def row_count(self, filters: list[Filter] | tuple[Filter, ...] = ()) -> int:
        """Count the items that match ``filters``."""
        where = compile_filters(filters, self.schema)
        return self.table.count_rows(where) if where else self.table.count_rows()

    @classmethod
    def build(
        cls, lance_path: Path, table_name: str, metadata: pa.Table, embeddings: np.ndarray
    ) -> ItemIndex:
        """Write a new table of ``metadata`` rows with their ``embeddings`` and index it.

        Parameters
        ----------
        metadata : pyarrow.Table
            One row per item with an ``item_id`` column; every column is stored
            and can be filtered on.
        embeddings : ndarray of shape (item_count, embedding_size), float32
            Item tower output, row-aligned with ``metadata``.
        """
        if metadata.num_rows != len(embeddings):
            raise ValueError(
                f"metadata has {metadata.num_rows} rows but embeddings {len(embeddings)}"
            )
        started = time.perf_counter()
        embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        vectors = pa.FixedSizeListArray.from_arrays(
            pa.array(embeddings.ravel()), embeddings.shape[1]
        )
        data = metadata.append_column("vector", vectors)
        db = lancedb.connect(str(lance_path))
        table = db.create_table(table_name, data, mode="overwrite")

        _create_scalar_indexes(table, metadata)
        if data.num_rows >= VECTOR_INDEX_MIN_ROWS:
            partitions = max(1, data.num_rows // 16384)
            table.create_index(
                "vector", config=IvfHnswSq(distance_type="dot", num_partitions=partitions)
            )
        _log.info(
            "indexed %d items in %s in %.2fs", data.num_rows, table_name,
            time.perf_counter() - started,
        )
        return cls(lance_path, table_name, table.version)

    def nearest(
        self,
        query: np.ndarray,
        k: int,
        *,
        filters: list[Filter] | tuple[Filter, ...] = (),
        exclude: np.ndarray | None = None,
        columns: tuple[str, ...] = ("item_id", "title"),
    ) -> pa.Table:
        """Return the ``k`` matching items with the highest dot product with ``query``.

        Items in ``exclude`` are left out after the search, so the search fetches
        ``k + len(exclude)`` rows. Whenever at least ``k`` items match and are not
        excluded, exactly ``k`` come back, because a short result from the index
        is replaced by an exact scan.

        Returns
        -------
        pyarrow.Table
            ``columns`` that exist in the table, plus ``score`` (float32) and
            ``rank`` (1-based), ordered by score descending, then item id.
        """
        if not isinstance(k, int) or isinstance(k, bool) or k <= 0:
            raise ValueError(f"invalid k: {k!r}, expected a positive integer")
        where = compile_filters(filters, self.schema)
        exclude = np.asarray(exclude if exclude is not None else [], dtype=np.int64)
        fetch = k + len(exclude)
        matching = self.table.count_rows(where) if where else self.table.count_rows()
        wanted = min(fetch, matching)
        selected = [c for c in columns if c in self.schema.names and c != "item_id"]

        exact = matching <= EXACT_SCAN_MAX_ROWS or not self._has_vector_index()
        rows = self._search(query, fetch, where, selected, exact=exact)
        if not exact and rows.num_rows < wanted:
            _log.debug("index returned %d of %d rows, rescanning exactly", rows.num_rows, wanted)
            exact = True
            rows = self._search(query, fetch, where, selected, exact=True)
        _log.debug(
            "%s search: %d of %d matching rows fetched for k=%d",
            "exact" if exact else "index", rows.num_rows, matching, k,
        )
        return _rank(rows, query, exclude, k, selected)

    def _has_vector_index(self) -> bool:
        return any(ix.columns == ["vector"] for ix in self.table.list_indices())

    def _search(self, query, fetch, where, selected, *, exact: bool) -> pa.Table:
        search = self.table.search(np.asarray(query, dtype=np.float32), vector_column_name="vector")
        search = search.distance_type("dot").select(["item_id", *selected, "vector", "_distance"])
        if where:
            search = search.where(where, prefilter=True)
        if exact:
            search = search.bypass_vector_index()
        else:
            # Lance searches every partition and widens the HNSW beam to the fetch
            # size, since recall falls off fast when ef is below k.
            search = search.nprobes(max(1, self._partition_count())).ef(max(fetch, 100))
        return search.limit(fetch).to_arrow()

    def _partition_count(self) -> int:
        return max(1, self.table.count_rows() // 16384)


def _rank(rows: pa.Table, query: np.ndarray, exclude: np.ndarray, k: int, selected) -> pa.Table:
    """Drop excluded items, score exactly, order by score then item id, keep ``k``."""
    item_ids = rows.column("item_id").to_numpy()
    vectors = np.stack(rows.column("vector").to_numpy(zero_copy_only=False)) if rows.num_rows else (
        np.zeros((0, len(query)), dtype=np.float32)
    )
    keep = ~np.isin(item_ids, exclude)
    scores = (vectors[keep] @ np.asarray(query, dtype=np.float32)).astype(np.float32)
    item_ids = item_ids[keep]
    order = np.lexsort((item_ids, -scores))[:k]
    kept_rows = np.flatnonzero(keep)[order]
    out = {"item_id": pa.array(item_ids[order], pa.int64())}
    for name in selected:
        out[name] = rows.column(name).take(pa.array(kept_rows))
    out["score"] = pa.array(scores[order], pa.float32())
    out["rank"] = pa.array(np.arange(1, len(order) + 1), pa.int32())
    return pa.table(out)


def _create_scalar_indexes(table, metadata: pa.Table) -> None:
    """Index every filterable metadata column by the index type that suits it."""
    for field in metadata.schema:
        kind = field.type
        config = None
        if field.name == "item_id" or pa.types.is_integer(kind) or pa.types.is_floating(kind):
            config = BTree()
        elif pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            config = BTree()
        elif pa.types.is_boolean(kind):
            config = Bitmap()
        elif (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and (
            pa.types.is_string(kind.value_type) or pa.types.is_integer(kind.value_type)
        ):
            config = LabelList()
        elif pa.types.is_string(kind):
            distinct = len(metadata.column(field.name).unique())
            if distinct <= BITMAP_MAX_VALUES:
                config = Bitmap()
        if config is not None:
            table.create_index(field.name, config=config)
