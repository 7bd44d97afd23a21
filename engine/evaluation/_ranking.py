"""Full-catalogue ranking of one batch of users, exactly as the metrics define it.

Candidates are every catalogue item except the user's fitted items. They are ordered
by score descending, and ties go to the lower item id, which is the lower item index
because item ids are sorted. The SQL metric macros rank stored scores the same way,
so the ranks computed here and those recomputed in SQL agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.features import InteractionData


@dataclass(frozen=True)
class RankedBatch:
    """Candidate order of a batch of users.

    Attributes
    ----------
    order : ndarray of shape (user_count, item_count), int64
        Item indices by rank. Each row lists its candidates first, then the excluded
        items.
    positions : ndarray of shape (user_count, item_count), int64
        Inverse of ``order``: the 0-based rank of each item index.
    candidate_counts : ndarray of shape (user_count,), int64
        Candidates per row; positions at or past it are excluded items.
    """

    order: np.ndarray
    positions: np.ndarray
    candidate_counts: np.ndarray

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(rows, ranks, items)`` of each row's first ``k`` candidates.

        Rows come in ascending order and, within a row, by rank (1-based).
        """
        limit = min(k, self.order.shape[1])
        is_candidate = np.arange(limit)[None, :] < self.candidate_counts[:, None]
        rows, positions = np.nonzero(is_candidate)
        return rows, positions + 1, self.order[rows, positions]

    def ranks(self, rows: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Return the 1-based rank of each (row, item index), -1 for excluded items."""
        positions = self.positions[rows, items]
        return np.where(positions < self.candidate_counts[rows], positions + 1, -1)


def rank_candidates(scores: np.ndarray, excluded: np.ndarray) -> RankedBatch:
    """Order every row's candidates by score descending, ties to the lower item index.

    Parameters
    ----------
    scores : ndarray of shape (user_count, item_count)
        Raw scores. ``-inf`` is allowed and ranks last among the candidates.
    excluded : ndarray of shape (user_count, item_count), bool
        Items that are not candidates (the user's fitted items).

    Raises
    ------
    ValueError
        When a score is NaN, because NaN has no place in a descending order (DuckDB
        would sort it first, numpy last).
    """
    if np.isnan(scores).any():
        raise ValueError("invalid scores: NaN found, expected finite scores or -inf")

    # A stable sort of the negated scores keeps tied items in index order. Excluded
    # items get +inf and candidates scored -inf get the largest finite key, so every
    # excluded item sorts after every candidate.
    keys = -scores.astype(np.float64)
    keys[np.isposinf(keys)] = np.finfo(np.float64).max
    keys[excluded] = np.inf
    order = np.argsort(keys, axis=1, kind="stable")

    positions = np.empty_like(order)
    ranks = np.broadcast_to(np.arange(order.shape[1], dtype=order.dtype), order.shape)
    np.put_along_axis(positions, order, ranks, axis=1)
    candidate_counts = order.shape[1] - excluded.sum(axis=1)
    return RankedBatch(order, positions, candidate_counts.astype(np.int64))


def fitted_mask(data: InteractionData, users: np.ndarray) -> np.ndarray:
    """Mark each user's fitted items: a bool array of shape (len(users), item_count)."""
    offsets = data.user_offsets()
    starts, stops = offsets[users], offsets[users + 1]
    rows = np.repeat(np.arange(len(users)), stops - starts)
    positions = np.concatenate(
        [np.arange(start, stop) for start, stop in zip(starts, stops)] or [[]]
    ).astype(np.int64)
    mask = np.zeros((len(users), data.item_count), dtype=bool)
    mask[rows, data.items[positions]] = True
    return mask
