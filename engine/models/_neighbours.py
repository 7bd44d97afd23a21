"""Cosine neighbours of the rows of a binary matrix, shared by item-kNN and user-kNN."""

from __future__ import annotations

import numpy as np

from engine.models._base import Progress

# Rows per block are chosen so one block of similarities holds about this many
# cells (16 MiB of float32), whatever the number of rows compared against.
_BLOCK_CELLS = 1 << 22


def top_k(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Select the ``k`` largest values of each row, ties to the lower column.

    Parameters
    ----------
    values : ndarray of shape (row_count, column_count)
    k : int
        Values kept per row; capped at ``column_count``.

    Returns
    -------
    columns : ndarray of shape (row_count, k), int64
        Column of each kept value, by value descending, then column ascending.
    top_values : ndarray of shape (row_count, k)
        The kept values, in the same order.
    """
    row_count, column_count = values.shape
    k = min(k, column_count)
    if k == 0:
        empty = np.zeros((row_count, 0), dtype=np.int64)
        return empty, empty.astype(values.dtype)

    # Keep every value above the k-th largest, then fill the rest of the k
    # places with values equal to it, lowest columns first.
    kth = -np.partition(-values, k - 1, axis=1)[:, k - 1 : k]
    above = values > kth
    tied = values == kth
    room = k - above.sum(axis=1, keepdims=True)
    keep = above | (tied & (np.cumsum(tied, axis=1) <= room))

    # np.nonzero walks row-major, so each row's kept columns come out ascending.
    columns = np.nonzero(keep)[1].reshape(row_count, k)
    top_values = np.take_along_axis(values, columns, axis=1)
    order = np.argsort(-top_values, axis=1, kind="stable")
    columns = np.take_along_axis(columns, order, axis=1)
    top_values = np.take_along_axis(top_values, order, axis=1)
    return columns, top_values


def cosine_neighbours(
    rows: np.ndarray,
    *,
    k: int,
    shrinkage: float,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Find each row's ``k`` most similar other rows by shrunk cosine similarity.

    The similarity of rows a and b is ``a . b / (|a| |b| + shrinkage)``; a
    shrinkage above 0 lowers the similarity of rows with few non-zero entries,
    whose cosine rests on little evidence. A row is never its own neighbour,
    and an all-zero row has similarity 0 to every row.

    Parameters
    ----------
    rows : ndarray of shape (row_count, column_count), float32
        Users as rows of the user x item matrix, or items as rows of its transpose.
    k : int
        Neighbours kept per row; capped at ``row_count - 1``.
    shrinkage : float
        Added to the denominator of the cosine.
    progress : callable, optional
        Called as ``progress(done_rows, row_count, message)`` after each block.

    Returns
    -------
    neighbours : ndarray of shape (row_count, k), int64
        Row indices by similarity descending, ties to the lower index.
    similarities : ndarray of shape (row_count, k), float32
    """
    row_count = rows.shape[0]
    k = min(k, max(row_count - 1, 0))
    norms = np.sqrt(np.einsum("ij,ij->i", rows, rows, dtype=np.float64))
    neighbours = np.zeros((row_count, k), dtype=np.int64)
    similarities = np.zeros((row_count, k), dtype=np.float32)
    block_rows = max(1, _BLOCK_CELLS // max(row_count, 1))

    for start in range(0, row_count, block_rows):
        stop = min(start + block_rows, row_count)
        block = _cosine_block(rows, norms, start, stop, shrinkage)
        neighbours[start:stop], similarities[start:stop] = top_k(block, k)
        if progress is not None:
            progress(stop, row_count, "cosine neighbours")
    return neighbours, similarities


def _cosine_block(
    rows: np.ndarray, norms: np.ndarray, start: int, stop: int, shrinkage: float
) -> np.ndarray:
    """Similarities of rows ``start:stop`` to every row, with self-similarity at -inf.

    The products of binary rows are exact in float32; dividing in float64
    keeps the cosine of identical rows at exactly 1.
    """
    products = rows[start:stop] @ rows.T
    denominators = norms[start:stop, None] * norms[None, :] + shrinkage
    block = np.divide(
        products,
        denominators,
        out=np.zeros(products.shape, dtype=np.float64),
        where=denominators > 0,
    ).astype(np.float32)
    block[np.arange(stop - start), np.arange(start, stop)] = -np.inf
    return block
