"""Inverted-file (IVF) partitions of item vectors: seeded k-means and assignment.

The in-memory search path groups items by partition, so a query scores only
the partitions whose centroids score highest with it. The build stores each
item's partition in the LanceDB table. Centroids are recomputed as partition
means when the table is loaded, so nothing else needs to be persisted.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np

_log = logging.getLogger(__name__)

#: Training rows sampled per centroid.
SAMPLE_PER_PARTITION = 64
#: Lloyd iterations of k-means.
KMEANS_ITERATIONS = 10
#: Rows scored at once during assignment, to bound the distance matrix in memory.
ASSIGN_BATCH_ROWS = 16384


def partition_count_for(item_count: int) -> int:
    """Choose the number of partitions: about the square root of the item count.

    With sqrt(n) partitions of sqrt(n) rows each, scoring the centroids and
    scoring one partition cost the same, the usual balance for IVF indexes.
    """
    return max(1, round(math.sqrt(item_count)))


def train_centroids(
    vectors: np.ndarray, partition_count: int, *, seed: int
) -> np.ndarray:
    """Fit ``partition_count`` k-means centroids on a seeded sample of ``vectors``.

    Returns
    -------
    ndarray of shape (partition_count, embedding_size), float32
    """
    if not 1 <= partition_count <= len(vectors):
        raise ValueError(
            f"invalid partition_count: {partition_count}, expected 1 to {len(vectors)}"
        )
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    sample_size = min(len(vectors), partition_count * SAMPLE_PER_PARTITION)
    sample = vectors[np.sort(rng.choice(len(vectors), sample_size, replace=False))]
    centroids = sample[rng.choice(sample_size, partition_count, replace=False)].copy()

    for _ in range(KMEANS_ITERATIONS):
        labels = assign_partitions(sample, centroids)
        sums, counts = partition_sums(sample, labels, partition_count)
        # An empty partition restarts from a random sample point.
        empty = counts == 0
        centroids = sums / np.maximum(counts, 1)[:, None]
        centroids[empty] = sample[
            rng.choice(sample_size, int(empty.sum()), replace=False)
        ]

    _log.debug(
        "trained %d centroids on %d rows in %.2fs",
        partition_count,
        sample_size,
        time.perf_counter() - started,
    )
    return centroids.astype(np.float32)


def assign_partitions(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Return the index of the nearest centroid (Euclidean) of each row, as int32."""
    squared_norms = np.einsum("ij,ij->i", centroids, centroids)
    labels = np.empty(len(vectors), dtype=np.int32)
    for start in range(0, len(vectors), ASSIGN_BATCH_ROWS):
        batch = vectors[start : start + ASSIGN_BATCH_ROWS]
        # |x - c|^2 = |x|^2 - 2 x.c + |c|^2, and |x|^2 does not change the argmin.
        distances = squared_norms - 2.0 * (batch @ centroids.T)
        labels[start : start + len(batch)] = np.argmin(distances, axis=1)
    return labels


def partition_sums(vectors: np.ndarray, labels: np.ndarray, partition_count: int):
    """Sum the rows of each partition.

    Returns
    -------
    sums : ndarray of shape (partition_count, embedding_size), float64
    counts : ndarray of shape (partition_count,), int64
    """
    counts = np.bincount(labels, minlength=partition_count)
    order = np.argsort(labels, kind="stable")
    sums = np.zeros((partition_count, vectors.shape[1]), dtype=np.float64)
    filled = np.flatnonzero(counts)
    if len(filled):
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[filled]
        sums[filled] = np.add.reduceat(
            vectors[order].astype(np.float64), starts, axis=0
        )
    return sums, counts
