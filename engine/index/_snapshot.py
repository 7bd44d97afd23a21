"""The rows of one item table version, held in memory for serving.

A LanceDB search call costs one to four milliseconds before any vector work, so
serving loads the vectors and the metadata columns of its pinned table version
once and searches them with numpy. Rows are ordered by IVF partition, so each
partition is one contiguous block of the float32 matrix. Rows that have no
partition yet (appended since the index was last extended) form a last block,
which every search scores.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.index._filters import Filter, compile_filters
from engine.index._ivf import partition_sums
from engine.index._masks import filter_mask

_log = logging.getLogger(__name__)

PARTITION_COLUMN = "ivf_partition"
#: Number of filters whose kept rows stay cached (least recently used leave first).
FILTER_CACHE_SIZE = 16
#: Cost of scoring a row gathered from scattered positions, relative to a row of a
#: contiguous block. This is an estimate from numpy on the development machine:
#: gathering 5,000 rows of 64 floats cost 2.5 times as much, 50,000 rows 5 times.
GATHER_COST = 4.0
#: Largest gathered vector block kept per cached filter, in bytes.
GATHERED_CACHE_MAX_BYTES = 4 * 1024 * 1024


@dataclass
class FilterSubset:
    """The rows of a snapshot that one list of filters keeps."""

    #: True for kept rows; ``None`` when there is no filter.
    mask: np.ndarray | None
    count: int
    #: Kept rows in each partition, and in the unassigned block last.
    block_counts: np.ndarray
    positions: np.ndarray | None = None
    vectors: np.ndarray | None = None


class ScoredRows:
    """Scores of some snapshot rows, given by sorted positions or by contiguous blocks.

    Blocks save building a position per scored row: only the rows that make the
    result are mapped back to positions.
    """

    def __init__(self, scores, *, positions=None, starts=None, lengths=None):
        self.scores = scores
        self._positions = positions
        if positions is None:
            # Blocks in score order map score indices to positions, and blocks in
            # row order map positions back to score indices.
            self._starts = starts
            self._offsets = np.cumsum(lengths) - lengths
            by_start = np.argsort(starts)
            self._sorted_starts = starts[by_start]
            self._sorted_lengths = lengths[by_start]
            self._sorted_offsets = self._offsets[by_start]

    def positions(self, indices: np.ndarray) -> np.ndarray:
        """Map indices into ``scores`` to snapshot row positions."""
        if self._positions is not None:
            return self._positions[indices]
        block = np.searchsorted(self._offsets, indices, side="right") - 1
        return self._starts[block] + indices - self._offsets[block]

    def drop(self, positions: np.ndarray) -> None:
        """Set the score of the rows at ``positions`` to minus infinity, if scored."""
        # A filter that keeps no row leaves no score, so there is nothing to drop.
        if len(self.scores) == 0 or len(positions) == 0:
            return
        if self._positions is not None:
            found = np.minimum(
                np.searchsorted(self._positions, positions), len(self.scores) - 1
            )
            hit = self._positions[found] == positions
            self.scores[found[hit]] = -np.inf
            return
        block = np.searchsorted(self._sorted_starts, positions, side="right") - 1
        start = self._sorted_starts[block]
        inside = (block >= 0) & (positions < start + self._sorted_lengths[block])
        indices = self._sorted_offsets[block] + positions - start
        self.scores[indices[inside]] = -np.inf


class TableSnapshot:
    """Vectors and metadata of one table version, ordered by IVF partition.

    Parameters
    ----------
    rows : pyarrow.Table
        Every row of the table version, with ``vector`` and ``ivf_partition``.
    """

    def __init__(self, rows: pa.Table):
        started = time.perf_counter()
        if PARTITION_COLUMN in rows.column_names:
            partitions = rows.column(PARTITION_COLUMN).to_numpy(zero_copy_only=False)
            partitions = np.where(np.isnan(partitions), -1, partitions).astype(np.int64)
        else:
            partitions = np.full(rows.num_rows, -1, dtype=np.int64)
        partition_count = int(partitions.max()) + 1 if len(partitions) else 0

        # Order rows by partition, the unassigned rows (-1) last.
        sort_key = np.where(partitions < 0, partition_count, partitions)
        order = np.argsort(sort_key, kind="stable")
        block_sizes = np.bincount(sort_key, minlength=partition_count + 1)
        self.bounds = np.concatenate(([0], np.cumsum(block_sizes))).astype(np.int64)
        self.partition_count = partition_count

        vectors = rows.column("vector").combine_chunks()
        size = vectors.type.list_size
        flat = (
            vectors.flatten()
            .to_numpy(zero_copy_only=False)
            .astype(np.float32, copy=False)
        )
        self.vectors = np.ascontiguousarray(flat.reshape(-1, size)[order])
        metadata = (
            rows.drop_columns(["vector", PARTITION_COLUMN])
            if (PARTITION_COLUMN in rows.column_names)
            else rows.drop_columns(["vector"])
        )
        self.metadata = metadata.take(pa.array(order)).combine_chunks()
        self.item_ids = self.metadata.column("item_id").to_numpy().astype(np.int64)
        self._id_order = np.argsort(self.item_ids, kind="stable")

        # Centroids are the partition means, so the build stores no extra state.
        assigned = self.bounds[partition_count]
        labels = np.repeat(np.arange(partition_count), block_sizes[:partition_count])
        sums, counts = partition_sums(self.vectors[:assigned], labels, partition_count)
        self.centroids = (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)

        self._subsets: OrderedDict[str, FilterSubset] = OrderedDict()
        self._lock = threading.Lock()
        _log.debug(
            "loaded %d rows in %d partitions (%d unassigned) in %.2fs",
            len(self.item_ids),
            partition_count,
            self.unassigned_count,
            time.perf_counter() - started,
        )

    @property
    def row_count(self) -> int:
        return len(self.item_ids)

    @property
    def unassigned_count(self) -> int:
        return int(self.bounds[-1] - self.bounds[-2])

    def subset(self, filters: list[Filter] | tuple[Filter, ...]) -> FilterSubset:
        """Find the rows that ``filters`` keep, cached under the compiled filter."""
        key = compile_filters(filters, self.metadata.schema) or ""
        with self._lock:
            cached = self._subsets.get(key)
            if cached is not None:
                self._subsets.move_to_end(key)
                return cached

        if key:
            mask = filter_mask(filters, self.metadata)
            running = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
            block_counts = running[self.bounds[1:]] - running[self.bounds[:-1]]
            subset = FilterSubset(mask, int(mask.sum()), block_counts)
        else:
            subset = FilterSubset(None, self.row_count, np.diff(self.bounds))

        with self._lock:
            self._subsets[key] = subset
            while len(self._subsets) > FILTER_CACHE_SIZE:
                self._subsets.popitem(last=False)
        return subset

    def positions_of(self, item_ids: np.ndarray) -> np.ndarray:
        """Return the row positions of the ``item_ids`` that are in the snapshot."""
        if len(item_ids) == 0 or self.row_count == 0:
            return np.zeros(0, dtype=np.int64)
        sorted_ids = self.item_ids[self._id_order]
        found = np.searchsorted(sorted_ids, item_ids)
        found = np.minimum(found, len(sorted_ids) - 1)
        hit = sorted_ids[found] == item_ids
        return self._id_order[found[hit]]

    def scan_exact(self, subset: FilterSubset, query: np.ndarray) -> ScoredRows:
        """Score every row that ``subset`` keeps.

        A broad filter scores the whole matrix and masks the dropped rows, since
        gathering scattered rows costs about ``GATHER_COST`` contiguous ones.
        """
        if subset.vectors is None and subset.count * GATHER_COST >= self.row_count:
            whole = np.array([0, self.row_count])
            return self._score_blocks(subset, query, whole[:1], whole[1:])
        if subset.positions is None:
            subset.positions = np.flatnonzero(subset.mask)
        if subset.vectors is not None:
            return ScoredRows(subset.vectors @ query, positions=subset.positions)
        gathered = self.vectors[subset.positions]
        if gathered.nbytes <= GATHERED_CACHE_MAX_BYTES:
            subset.vectors = gathered
        return ScoredRows(gathered @ query, positions=subset.positions)

    def scan_partitions(
        self, subset: FilterSubset, query: np.ndarray, probe_rows: int
    ) -> tuple[ScoredRows, int]:
        """Score the partitions nearest to ``query`` until ``probe_rows`` kept rows.

        Partitions are visited by descending centroid score, and the unassigned
        block is always scored.

        Returns
        -------
        scored : ScoredRows
        probed : int
            Number of partitions scored.
        """
        order = np.argsort(-(self.centroids @ query))
        kept = np.cumsum(subset.block_counts[order])
        probed = min(int(np.searchsorted(kept, probe_rows)) + 1, self.partition_count)
        blocks = np.append(order[:probed], self.partition_count)
        starts = self.bounds[blocks]
        return self._score_blocks(
            subset, query, starts, self.bounds[blocks + 1] - starts
        ), probed

    def _score_blocks(
        self, subset: FilterSubset, query: np.ndarray, starts, lengths
    ) -> ScoredRows:
        """Score the row blocks at ``starts``; rows that ``subset`` drops get -inf."""
        scores = np.empty(int(lengths.sum()), dtype=np.float32)
        kept = np.empty(len(scores), dtype=bool) if subset.mask is not None else None
        offset = 0
        for start, length in zip(starts.tolist(), lengths.tolist()):
            stop = start + length
            np.matmul(
                self.vectors[start:stop], query, out=scores[offset : offset + length]
            )
            if kept is not None:
                kept[offset : offset + length] = subset.mask[start:stop]
            offset += length
        if kept is not None:
            scores[~kept] = -np.inf
        return ScoredRows(scores, starts=starts, lengths=lengths)

    def columns(self, names, positions: np.ndarray) -> dict[str, pa.Array]:
        """Take the metadata ``names`` at ``positions``."""
        indices = pa.array(positions, pa.int64())
        return {name: pc.take(self.metadata.column(name), indices) for name in names}
