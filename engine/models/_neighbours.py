"""Nearest rows of a user x item matrix by cosine, asymmetric cosine or Jaccard.

Shared by item-kNN (items as rows) and user-kNN (users as rows).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from engine.models._base import Progress
from engine.models._checks import check_fraction, check_non_negative
from engine.models._weighting import check_half_life, check_weighting

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

    The similarity of rows a and b is ``a . b / (|a| |b| + shrinkage)``. This
    is :func:`nearest_neighbours` with ``similarity="cosine"``.
    """
    return nearest_neighbours(
        rows, k=k, similarity="cosine", shrinkage=shrinkage, progress=progress
    )


def nearest_neighbours(
    rows: np.ndarray,
    *,
    k: int,
    similarity: str = "cosine",
    alpha: float = 0.5,
    shrinkage: float = 0.0,
    queries: np.ndarray | None = None,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Find the ``k`` rows most similar to each row (or to each query row).

    For a query row q (by default the row itself) and a row b, with ``q . b``
    their dot product and ``|x|`` a row's Euclidean norm:

    - ``cosine``: ``q . b / (|q| |b| + shrinkage)``;
    - ``asymmetric_cosine``: ``q . b / (|q| ** (2 alpha) * |b| ** (2 - 2 alpha)
      + shrinkage)``, which is the cosine at ``alpha = 0.5``. On binary rows a
      smaller ``alpha`` moves it towards ``|q and b| / |b|``, the share of b's
      entries that q also has;
    - ``jaccard``: ``q . b / (|q|^2 + |b|^2 - q . b + shrinkage)``, the Jaccard
      index on binary rows and the Tanimoto coefficient on weighted ones.

    A shrinkage above 0 lowers the similarity of rows with little mass, whose
    similarity rests on little evidence. Query i is never matched with row i,
    and a zero denominator gives similarity 0.

    Parameters
    ----------
    rows : ndarray of shape (row_count, column_count)
        Users as rows of the user x item matrix, or items as rows of its
        transpose; non-negative.
    k : int
        Neighbours kept per query; capped at ``row_count - 1``.
    similarity : {"cosine", "asymmetric_cosine", "jaccard"}, default="cosine"
    alpha : float, default=0.5
        Exponent of ``asymmetric_cosine``, from 0 to 1; unused otherwise.
    shrinkage : float, default=0.0
        Added to the denominator.
    queries : ndarray of shape (row_count, column_count), optional
        Query i replaces row i on the query side, for example a user's row with
        recent items weighted up. Default: ``rows``.
    progress : callable, optional
        Called as ``progress(done_rows, row_count, message)`` after each block.

    Returns
    -------
    neighbours : ndarray of shape (row_count, k), int64
        Row indices by similarity descending, ties to the lower index.
    similarities : ndarray of shape (row_count, k), float32
    """
    if similarity not in SIMILARITIES:
        raise ValueError(
            f"invalid similarity: {similarity!r}, expected one of "
            f"{', '.join(SIMILARITIES)}"
        )
    rows = np.asarray(rows, dtype=np.float64)
    queries = rows if queries is None else np.asarray(queries, dtype=np.float64)
    if queries.shape != rows.shape:
        raise ValueError(
            f"invalid queries shape: {queries.shape}, expected {rows.shape} "
            "(one query per row)"
        )
    row_count = rows.shape[0]
    k = min(k, max(row_count - 1, 0))
    squares = _Squares(
        rows=np.einsum("ij,ij->i", rows, rows),
        queries=np.einsum("ij,ij->i", queries, queries),
    )
    neighbours = np.zeros((row_count, k), dtype=np.int64)
    similarities = np.zeros((row_count, k), dtype=np.float32)
    block_rows = max(1, _BLOCK_CELLS // max(row_count, 1))
    message = f"{similarity} neighbours"

    for start in range(0, row_count, block_rows):
        stop = min(start + block_rows, row_count)
        products = queries[start:stop] @ rows.T
        denominators = (
            _denominators(similarity, alpha, products, squares, start, stop) + shrinkage
        )
        block = np.divide(
            products,
            denominators,
            out=np.zeros(products.shape, dtype=np.float64),
            where=denominators > 0,
        ).astype(np.float32)
        block[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        neighbours[start:stop], similarities[start:stop] = top_k(block, k)
        if progress is not None:
            progress(stop, row_count, message)
    return neighbours, similarities


#: Names accepted by :func:`nearest_neighbours`.
SIMILARITIES = ("cosine", "asymmetric_cosine", "jaccard")


class _Squares(NamedTuple):
    """Squared norms of every row and every query."""

    rows: np.ndarray
    queries: np.ndarray


def _denominators(similarity, alpha, products, squares, start, stop) -> np.ndarray:
    """Denominators of queries ``start:stop`` against every row, before shrinkage.

    Computed in float64, where the cosine of two equal binary rows is exactly 1.
    """
    query_squares = squares.queries[start:stop, None]
    row_squares = squares.rows[None, :]
    if similarity == "jaccard":
        return query_squares + row_squares - products
    if similarity == "cosine":
        return np.sqrt(query_squares * row_squares)
    return np.power(query_squares, alpha) * np.power(row_squares, 1.0 - alpha)


def check_neighbour_settings(scorer) -> dict[str, Any]:
    """Validate the similarity settings shared by item-kNN and user-kNN.

    Returns the checked ``similarity``, ``alpha``, ``shrinkage``, ``weighting``
    and ``recency_half_life`` of ``scorer``.
    """
    if scorer.similarity not in SIMILARITIES:
        raise ValueError(
            f"invalid similarity: {scorer.similarity!r}, expected one of "
            f"{', '.join(SIMILARITIES)}"
        )
    return {
        "similarity": scorer.similarity,
        "alpha": check_fraction("alpha", scorer.alpha),
        "shrinkage": check_non_negative("shrinkage", scorer.shrinkage),
        "weighting": check_weighting(scorer.weighting),
        "recency_half_life": check_half_life(scorer.recency_half_life),
    }
