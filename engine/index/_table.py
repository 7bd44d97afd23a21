"""The LanceDB item table of one model version: embeddings beside item metadata.

LanceDB is the system of record: the table stores every item's metadata, its
float32 vector and its IVF partition, with scalar indexes on the metadata and
LanceDB's own vector index, for analysts and SQL. Serving requests the items with
the highest dot product with a query vector, under metadata filters, and runs on
an in-memory copy of the pinned table version (see ``TableSnapshot``), because a
LanceDB search call costs milliseconds before any vector work.

For each request one of two search paths runs, chosen from the number of rows
that the filters keep (counted exactly on the in-memory columns):

- an exact scan over the kept rows, when they are few enough that scoring all
  of them costs no more than the IVF path would;
- the IVF path: partitions in order of centroid score until ``probe_rows`` kept
  rows were scored, rows that the filters drop masked out.

Scores are always exact dot products of the float32 vectors, so both paths rank
alike, and both return exactly ``k`` items whenever at least ``k`` items match.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from engine.index._filters import ENGINE_COLUMNS, Filter, as_filters, compile_filters
from engine.index._ivf import assign_partitions, partition_count_for, train_centroids
from engine.index._snapshot import GATHER_COST, PARTITION_COLUMN, TableSnapshot

_log = logging.getLogger(__name__)

#: Filters that keep at most this many rows always use an exact scan.
EXACT_SCAN_MAX_ROWS = 4096
#: Tables smaller than this get no partitions and no vector index: a scan is as fast.
VECTOR_INDEX_MIN_ROWS = 1024
#: Most distinct values of a string column that still gets a bitmap index.
BITMAP_MAX_VALUES = 1000
# NOTE: MIN_PROBES and PROBE_ROWS_PER_RESULT were tuned on the Gaussian mixture of
# bench/ann.py (500,000 items, 707 partitions): 24 probes gave recall 0.98 at k = 100,
# and 28 rows per result 0.98 at k = 10,000. Real embeddings may need other values.
#: Partitions the IVF path scores at least, counted in rows of average partitions.
MIN_PROBES = 24
#: Kept rows the IVF path scores per requested item, for large ``k``.
PROBE_ROWS_PER_RESULT = 28
#: Score arrays at least this long pick their top ``k`` through a sampled threshold.
TOP_SAMPLE_MIN_ROWS = 65536
#: One score in this many goes into the threshold sample.
TOP_SAMPLE_STRIDE = 16
#: Share of the table that may be unassigned (appended since the last extension)
#: before ``add_items`` assigns those rows to partitions. Up to
#: ``EXACT_SCAN_MAX_ROWS`` unassigned rows are always allowed.
UNASSIGNED_MAX_FRACTION = 0.01


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
        exactly the rows of the promoted version. ``add_items`` and
        ``delete_items`` move the pin to the version they write.
    """

    def __init__(
        self, lance_path: Path, table_name: str, table_version: int | None = None
    ):
        self.lance_path = Path(lance_path)
        self.table_name = table_name
        self.table_version = table_version

        # Caches of the pinned version, dropped when the pin moves.
        self._table = None
        self._snapshot = None
        self._snapshot_lock = threading.Lock()

    @property
    def table(self):
        if self._table is None:
            table = _connect(self.lance_path).open_table(self.table_name)
            if self.table_version is not None:
                table.checkout(self.table_version)
            self._table = table
        return self._table

    @property
    def schema(self) -> pa.Schema:
        return self.table.schema

    def snapshot(self) -> TableSnapshot:
        """Return the in-memory copy of the pinned version, loading it on first use."""
        with self._snapshot_lock:
            if self._snapshot is None:
                rows = self.table.to_lance().to_table()
                self._snapshot = TableSnapshot(rows)
            return self._snapshot

    def row_count(self, filters: list[Filter] | tuple[Filter, ...] = ()) -> int:
        """Count the items that match ``filters``."""
        where = compile_filters(filters, self.schema)
        return self.table.count_rows(where) if where else self.table.count_rows()

    @classmethod
    def build(
        cls,
        lance_path: Path,
        table_name: str,
        metadata: pa.Table,
        embeddings: np.ndarray,
        *,
        seed: int = 0,
    ) -> ItemIndex:
        """Write a new table of ``metadata`` rows with their ``embeddings`` and index it.

        Parameters
        ----------
        metadata : pyarrow.Table
            One row per item with an ``item_id`` column; every column is stored
            and can be filtered on.
        embeddings : ndarray of shape (item_count, embedding_size), float32
            Item tower output, row-aligned with ``metadata``.
        seed : int, default=0
            Seed of the k-means sample and initial centroids of the partitions.
        """
        _check_metadata(metadata, embeddings)
        started = time.perf_counter()
        embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        partitions = pa.nulls(metadata.num_rows, pa.int32())
        if metadata.num_rows >= VECTOR_INDEX_MIN_ROWS:
            centroids = train_centroids(
                embeddings, partition_count_for(metadata.num_rows), seed=seed
            )
            partitions = pa.array(assign_partitions(embeddings, centroids), pa.int32())
        partitioned = time.perf_counter()

        data = metadata.append_column("vector", _vector_array(embeddings))
        data = data.append_column(PARTITION_COLUMN, partitions)
        from lancedb.index import IvfFlat

        db = _connect(lance_path)
        table = db.create_table(table_name, data, mode="overwrite")
        _create_scalar_indexes(table, metadata)
        if data.num_rows >= VECTOR_INDEX_MIN_ROWS:
            table.create_index(
                "vector",
                config=IvfFlat(
                    distance_type="dot", num_partitions=max(1, data.num_rows // 16384)
                ),
            )
        _log.info(
            "indexed %d items in %s in %.2fs (partitions %.2fs)",
            data.num_rows,
            table_name,
            time.perf_counter() - started,
            partitioned - started,
        )
        return cls(lance_path, table_name, table.version)

    def nearest(
        self,
        query: np.ndarray,
        k: int,
        *,
        filters: Filter | str | list[Filter | str] | tuple[Filter | str, ...] = (),
        exclude: np.ndarray | None = None,
        columns: tuple[str, ...] = ("item_id", "title"),
    ) -> pa.Table:
        """Return the ``k`` matching items with the highest dot product with ``query``.

        Items in ``exclude`` never come back. Whenever at least ``k`` items match
        and are not excluded, exactly ``k`` come back. ``filters`` is one
        :class:`Filter` or text for :meth:`Filter.parse`, or a list of them.

        Returns
        -------
        pyarrow.Table
            ``columns`` that exist in the table, plus ``score`` (float32) and
            ``rank`` (1-based), ordered by score descending, then item id.
        """
        k = check_k(k)
        filters = as_filters(filters)
        snapshot = self.snapshot()
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if query.shape[0] != snapshot.vectors.shape[1]:
            raise ValueError(
                f"invalid query of size {query.shape[0]}, expected the embedding size "
                f"{snapshot.vectors.shape[1]} of table {self.table_name}"
            )
        subset = snapshot.subset(filters)
        excluded = snapshot.positions_of(
            np.asarray(exclude if exclude is not None else [], dtype=np.int64)
        )
        fetch = k + len(excluded)

        exact, probe_rows = _plan(
            snapshot, subset.count, subset.mask is not None, fetch
        )
        if exact:
            scored = snapshot.scan_exact(subset, query)
            _log.debug("exact scan of %d kept rows for k=%d", subset.count, k)
        else:
            scored, probed = snapshot.scan_partitions(subset, query, probe_rows)
            _log.debug(
                "IVF search of %d of %d partitions (%d rows scored, %d of %d kept "
                "rows wanted) for k=%d",
                probed,
                snapshot.partition_count,
                len(scored.scores),
                probe_rows,
                subset.count,
                k,
            )
        if len(excluded):
            scored.drop(excluded)
        selected = [
            c for c in columns if c in snapshot.metadata.column_names and c != "item_id"
        ]
        masked = subset.mask is not None or len(excluded) > 0
        return _rank(snapshot, scored, k, selected, masked)

    def add_items(self, metadata: pa.Table, embeddings: np.ndarray) -> int:
        """Append items to the latest table version and pin this handle to the result.

        This is the low-level write: the store's manifest is not changed, so other
        handles, a fresh ``engine.open()`` and the CLI keep serving the promoted
        version, and ``sqlrec index`` rebuilds from the catalog without these
        rows. Add items to the catalog and run :func:`update_index`
        (``sqlrec index --update``) to serve them everywhere.

        The next ``nearest`` call on this handle finds them: they are scored on
        every query until the unassigned rows pass ``UNASSIGNED_MAX_FRACTION`` of
        the table (and ``EXACT_SCAN_MAX_ROWS``), when ``extend_index`` assigns them
        to partitions.

        Parameters
        ----------
        metadata : pyarrow.Table
            One row per new item, with exactly the table's metadata columns in any
            order.
        embeddings : ndarray of shape (item_count, embedding_size)
            Finite item vectors, row-aligned with ``metadata``.

        Returns
        -------
        int
            The new table version.

        Raises
        ------
        ValueError
            For ids that repeat or are already in the table, missing or extra
            columns, values that do not convert to the column types, or vectors
            of the wrong size or with NaN or infinite values. Nothing is written.
        """
        _check_metadata(metadata, embeddings)
        embeddings = np.asarray(embeddings, dtype=np.float32)
        table = self._latest_table()
        data = _table_rows(table.schema, metadata, embeddings, self.table_name)
        present = table.count_rows(_ids_where(metadata.column("item_id").to_numpy()))
        if present:
            raise ValueError(
                f"{present} of the items to add are already in {self.table_name}, "
                "expected new item ids (delete the old rows first to replace them)"
            )
        table.add(data)
        self._pin(table.version)

        unassigned = table.count_rows(f"{PARTITION_COLUMN} IS NULL")
        limit = max(EXACT_SCAN_MAX_ROWS, UNASSIGNED_MAX_FRACTION * table.count_rows())
        _log.info(
            "added %d items to %s (%d unassigned)",
            data.num_rows,
            self.table_name,
            unassigned,
        )
        if unassigned > limit:
            self.extend_index()
        return self.table_version

    def delete_items(self, item_ids) -> int:
        """Delete items from the latest table version and pin this handle to the result.

        This is the low-level write: the store's manifest is not changed, so only
        this handle stops serving the items. Delete them from the catalog and run
        :func:`update_index` (``sqlrec index --update``) to remove them everywhere.

        Returns
        -------
        int
            The new table version.
        """
        ids = np.asarray(item_ids)
        if ids.size and not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"invalid item ids of type {ids.dtype}, expected integers")
        table = self._latest_table()
        if ids.size:
            table.delete(_ids_where(ids))
        self._pin(table.version)
        _log.info("deleted up to %d items from %s", ids.size, self.table_name)
        return self.table_version

    def extend_index(self) -> int:
        """Assign unassigned rows to partitions and add them to LanceDB's vector index.

        Centroids are not retrained: build a new table for that (``sqlrec index``).

        Returns
        -------
        int
            The new table version.
        """
        started = time.perf_counter()
        table = self._latest_table()
        rows = table.to_lance().to_table(filter=f"{PARTITION_COLUMN} IS NULL")
        centroids = self.snapshot().centroids
        if rows.num_rows and len(centroids):
            vectors = rows.column("vector").combine_chunks()
            matrix = vectors.flatten().to_numpy().reshape(-1, vectors.type.list_size)
            labels = pa.array(assign_partitions(matrix, centroids), pa.int32())
            position = rows.schema.get_field_index(PARTITION_COLUMN)
            rows = rows.set_column(position, PARTITION_COLUMN, labels)
            table.merge_insert("item_id").when_matched_update_all().execute(rows)
        if any(ix.columns == ["vector"] for ix in table.list_indices()):
            table.to_lance().optimize.optimize_indices()
            table.checkout_latest()
        self._pin(table.version)
        _log.info(
            "extended the index of %s by %d rows in %.2fs",
            self.table_name,
            rows.num_rows,
            time.perf_counter() - started,
        )
        return self.table_version

    def cleanup_versions(self, keep) -> int:
        """Delete the table versions not in ``keep``, and the files only they use.

        The latest version always stays. A handle pinned to a deleted version
        fails on its next LanceDB read, so ``keep`` must hold every version that
        a manifest pins.

        Returns
        -------
        int
            The number of versions deleted.
        """
        dataset = self._latest_table().to_lance()
        old = [
            v["version"]
            for v in dataset.versions()
            if v["version"] not in keep and v["version"] != dataset.version
        ]
        if old:
            stats = dataset.cleanup_old_versions(versions=old)
            _log.info(
                "deleted %d old versions of %s (%d bytes)",
                len(old),
                self.table_name,
                stats.bytes_removed,
            )
        return len(old)

    def _latest_table(self):
        return _connect(self.lance_path).open_table(self.table_name)

    def _pin(self, version: int) -> None:
        with self._snapshot_lock:
            self.table_version = version
            self._table = None
            self._snapshot = None


def _connect(lance_path):
    """Open the LanceDB folder ``lance_path``.

    lancedb is imported here, not at the top, because importing it takes
    about 1.5 s, and commands that never touch the index should not wait.
    """
    import lancedb

    return lancedb.connect(str(lance_path))


def check_k(k) -> int:
    """Return ``k`` as an int, accepting numpy integers, or raise ValueError."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k <= 0:
        raise ValueError(f"invalid k: {k!r}, expected a positive integer")
    return int(k)


def _plan(
    snapshot: TableSnapshot, kept: int, filtered: bool, fetch: int
) -> tuple[bool, int]:
    """Choose the exact scan or the IVF path, from the number of rows the filters keep.

    The IVF path scores about ``probe_rows * row_count / kept`` contiguous rows to
    see ``probe_rows`` kept rows. The exact scan scores ``kept`` rows, gathered
    from scattered positions when there is a filter, or every row when that is
    cheaper. The cheaper path runs.

    Returns
    -------
    exact : bool
    probe_rows : int
        Kept rows the IVF path must score: at least ``fetch``, so it returns
        exactly ``k`` items whenever they exist.
    """
    if snapshot.partition_count == 0 or kept <= EXACT_SCAN_MAX_ROWS:
        return True, kept
    average_partition = snapshot.row_count / snapshot.partition_count
    probe_rows = int(
        max(MIN_PROBES * average_partition, PROBE_ROWS_PER_RESULT * fetch, fetch)
    )
    # The exact scan of a broad filter scores every row and masks the dropped ones.
    exact_cost = min(kept * GATHER_COST, snapshot.row_count) if filtered else kept
    ivf_cost = probe_rows * snapshot.row_count / kept
    return exact_cost <= ivf_cost, probe_rows


def _rank(
    snapshot: TableSnapshot, scored, k: int, selected, masked: bool
) -> pa.Table:
    """Keep the ``k`` best finite scores, ordered by score then item id.

    ``masked`` is true when rows dropped by filters or ``exclude`` score minus
    infinity. numpy's ``argpartition`` slows down on long runs of equal values
    (4 ms instead of 0.2 ms for 20,000 scores, half of them minus infinity), so
    then only the finite scores are partitioned.
    """
    scores = scored.scores
    if masked:
        finite = np.flatnonzero(scores > -np.inf)
        best = finite[_top_indices(scores[finite], min(k, len(finite)))]
    else:
        best = _top_indices(scores, min(k, len(scores)))
        # Fewer than k kept rows leave minus-infinity scores among the best.
        best = best[np.isfinite(scores[best])]
    best_scores = scores[best]
    rows = scored.positions(best)
    item_ids = snapshot.item_ids[rows]
    order = _order_by_score(best_scores, item_ids)
    rows = rows[order]

    out = {"item_id": pa.array(item_ids[order], pa.int64())}
    out.update(snapshot.columns(selected, rows))
    out["score"] = pa.array(best_scores[order], pa.float32())
    out["rank"] = pa.array(np.arange(1, len(rows) + 1), pa.int32())
    return pa.table(out)


def _order_by_score(scores: np.ndarray, item_ids: np.ndarray) -> np.ndarray:
    """Order by score descending, equal scores by item id, so no path changes ties.

    ``lexsort`` costs about four ``argsort`` calls, and float32 scores tie rarely,
    so only the runs of equal scores are sorted again.
    """
    order = np.argsort(-scores)
    ordered = scores[order]
    ties = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(ties) == 0:
        return order
    # Each run of equal scores starts where a tie follows a non-tie.
    run_starts = ties[np.diff(ties, prepend=-2) > 1]
    for start in run_starts.tolist():
        stop = start + 1
        while stop < len(ordered) and ordered[stop] == ordered[start]:
            stop += 1
        run = order[start:stop]
        order[start:stop] = run[np.argsort(item_ids[run], kind="stable")]
    return order


def _top_indices(scores: np.ndarray, count: int) -> np.ndarray:
    """Return the indices of the ``count`` highest scores, unordered.

    ``argpartition`` over every score costs about 12 ns a row on the development
    machine. When ``count`` is small against the scores, a threshold from a
    strided sample first keeps a few more than ``count`` candidates. The result
    is still exact, because the threshold is used only when at least ``count``
    scores reach it.
    """
    total = len(scores)
    if count == total:
        return np.arange(total)
    if total >= TOP_SAMPLE_MIN_ROWS and total >= 8 * count:
        sample = scores[::TOP_SAMPLE_STRIDE]
        position = max(0, len(sample) - 2 * (count // TOP_SAMPLE_STRIDE) - 2)
        threshold = np.partition(sample, position)[position]
        candidates = np.flatnonzero(scores >= threshold)
        if len(candidates) >= count:
            kept = scores[candidates]
            return candidates[
                np.argpartition(kept, len(kept) - count)[len(kept) - count :]
            ]
    return np.argpartition(scores, total - count)[total - count :]


def _check_metadata(metadata: pa.Table, embeddings: np.ndarray) -> None:
    """Check the rows that ``build`` and ``add_items`` write, before any write."""
    if not isinstance(metadata, pa.Table):
        raise TypeError(
            f"invalid metadata of type {type(metadata).__name__}, "
            "expected a pyarrow.Table"
        )
    shape = np.shape(embeddings)
    if len(shape) != 2:
        raise ValueError(
            f"invalid embeddings of shape {shape}, "
            "expected (item_count, embedding_size)"
        )
    if metadata.num_rows != shape[0]:
        raise ValueError(
            f"metadata has {metadata.num_rows} rows but embeddings {shape[0]}"
        )
    if "item_id" not in metadata.column_names:
        raise ValueError("metadata has no item_id column, expected one row per item")
    reserved = [name for name in ENGINE_COLUMNS if name in metadata.column_names]
    if reserved:
        raise ValueError(
            f"metadata has a column named {reserved[0]}, which the engine writes, "
            "so rename that column"
        )
    _check_item_ids(metadata.column("item_id"))
    finite = np.isfinite(np.asarray(embeddings, dtype=np.float32)).all(axis=1)
    if not finite.all():
        bad = metadata.column("item_id").to_numpy()[~finite]
        raise ValueError(
            f"embeddings of {len(bad)} items contain NaN or infinite values (item ids "
            f"{_sample(bad)}), expected finite vectors"
        )


def _check_item_ids(item_ids: pa.ChunkedArray) -> None:
    if not pa.types.is_integer(item_ids.type):
        raise ValueError(
            f"invalid item_id column of type {item_ids.type}, expected integers"
        )
    if item_ids.null_count:
        raise ValueError(
            f"item_id is null in {item_ids.null_count} rows, "
            "expected an id in every row"
        )
    ids = item_ids.to_numpy()
    unique, counts = np.unique(ids, return_counts=True)
    repeated = unique[counts > 1]
    if len(repeated):
        raise ValueError(
            f"{len(repeated)} item ids occur more than once (item ids "
            f"{_sample(repeated)}), expected one row per item"
        )


def _table_rows(
    schema: pa.Schema, metadata: pa.Table, embeddings: np.ndarray, table_name: str
) -> pa.Table:
    """Arrange ``metadata`` and ``embeddings`` as rows of a table of ``schema``.

    Columns are selected by name, so their order does not matter, and each is
    cast to the table's type.
    """
    expected = [name for name in schema.names if name not in ENGINE_COLUMNS]
    missing = [name for name in expected if name not in metadata.column_names]
    extra = [name for name in metadata.column_names if name not in expected]
    if missing or extra:
        raise ValueError(
            f"metadata columns do not match {table_name}: missing "
            f"{', '.join(missing) or 'none'}, extra {', '.join(extra) or 'none'} "
            f"(expected {', '.join(expected)})"
        )
    size = schema.field("vector").type.list_size
    if embeddings.shape[1] != size:
        raise ValueError(
            f"invalid embeddings of size {embeddings.shape[1]}, expected the "
            f"embedding size {size} of {table_name}"
        )

    columns = {}
    for name in expected:
        kind = schema.field(name).type
        try:
            columns[name] = metadata.column(name).cast(kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            given = metadata.column(name).type
            raise ValueError(
                f"invalid values in column {name} of type {given}, "
                f"expected values that convert to {kind} ({exc})"
            ) from None
    columns["vector"] = _vector_array(embeddings).cast(schema.field("vector").type)
    columns[PARTITION_COLUMN] = pa.nulls(
        metadata.num_rows, schema.field(PARTITION_COLUMN).type
    )
    return pa.Table.from_arrays([columns[name] for name in schema.names], schema=schema)


def _sample(ids: np.ndarray, count: int = 5) -> str:
    """Render up to ``count`` ids for an error message."""
    shown = ", ".join(str(i) for i in ids[:count].tolist())
    return shown + (", ..." if len(ids) > count else "")


def _vector_array(embeddings: np.ndarray) -> pa.FixedSizeListArray:
    embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
    return pa.FixedSizeListArray.from_arrays(
        pa.array(embeddings.ravel()), embeddings.shape[1]
    )


def _ids_where(item_ids: np.ndarray) -> str:
    """Render validated integer ids as a LanceDB ``item_id IN (...)`` condition."""
    listed = ", ".join(str(int(i)) for i in np.unique(item_ids))
    return f"item_id IN ({listed})" if listed else "false"


def _create_scalar_indexes(table, metadata: pa.Table) -> None:
    """Index every filterable metadata column by the index type that suits it."""
    from lancedb.index import Bitmap, BTree, LabelList

    for field in metadata.schema:
        kind = field.type
        config = None
        if (
            field.name == "item_id"
            or pa.types.is_integer(kind)
            or pa.types.is_floating(kind)
        ):
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
