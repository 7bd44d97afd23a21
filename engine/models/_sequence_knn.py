"""Sequence-aware item neighbourhoods: items that follow each other in histories."""

from __future__ import annotations

import logging
import time

import numpy as np

from engine.features import InteractionData
from engine.models._base import Progress, named_progress
from engine.models._checks import (
    check_fraction,
    check_non_negative,
    check_positive_int,
)
from engine.models._item_knn import ItemKNNScorer
from engine.models._neighbours import top_k
from engine.models._weighting import check_half_life, recency_weights

_log = logging.getLogger(__name__)

# Scored items per block of the neighbour search, so that one block of
# similarities holds about this many cells (16 MiB of float32).
_BLOCK_CELLS = 1 << 22


class SequenceKNNScorer(ItemKNNScorer):
    """Item-kNN whose similarity counts how often one item follows another.

    Where :class:`ItemKNNScorer` counts the users who have both items, this
    model counts, over every user's interactions in sequence order, the pairs
    where item j comes at most ``window`` interactions after item i, each pair
    weighted ``decay ** (gap - 1)``. The similarity of history item i to
    scored item j is that weighted count divided by ``sqrt(n_i n_j) +
    shrinkage``, with ``n_i`` the users of item i. Each scored item keeps its
    ``neighbour_count`` most similar history items, and a user's score for j
    is the sum of those similarities over the user's items, each times the
    recency weight ``0.5 ** (age / recency_half_life)``, as in item-kNN.

    Parameters
    ----------
    neighbour_count : int, default=50
        History items kept per scored item.
    shrinkage : float, default=20.0
        Added to the similarity's denominator.
    window : int, default=30
        Largest gap, in interactions, between two items that still counts.
    decay : float, default=0.9
        Weight ratio of a pair to the pair one gap closer, from 0 to 1.
    directed : bool, default=True
        Count only pairs where the history item comes first. ``False`` counts
        both orders.
    recency_half_life : float or None, default=3.0
        Age, in interactions, at which a history item counts half as much as
        the user's latest one; ``None`` counts every history item alike.

    Attributes
    ----------
    neighbours_, similarities_, history_offsets_, history_items_, history_weights_
        As in :class:`ItemKNNScorer`.

    Notes
    -----
    The model reads the order of the fitted interactions. Under the ``loo``
    protocol that order breaks ties within one second by item id, which a
    directed count can learn from, so report it beside ``loo-shuffled``.
    The defaults were chosen on the validation item of the MovieLens-100K
    ``loo`` split (tuning phase): recall@10 0.22, against 0.196 for item-kNN,
    but recall@100 0.63 against 0.64. Windows of 10 to 50 and decays of 0.8
    to 0.9 scored within noise of each other; directed counts beat
    undirected ones by about 0.01.
    """

    name = "sequence_knn"

    def __init__(
        self,
        neighbour_count: int = 50,
        shrinkage: float = 20.0,
        *,
        window: int = 30,
        decay: float = 0.9,
        directed: bool = True,
        recency_half_life: float | None = 3.0,
    ):
        self.neighbour_count = neighbour_count
        self.shrinkage = shrinkage
        self.window = window
        self.decay = decay
        self.directed = directed
        self.recency_half_life = recency_half_life

        # Learned state.
        self.neighbours_: np.ndarray | None = None
        self.similarities_: np.ndarray | None = None
        self.history_offsets_: np.ndarray | None = None
        self.history_items_: np.ndarray | None = None
        self.history_weights_: np.ndarray | None = None

    def check_params(self) -> None:
        check_positive_int("neighbour_count", self.neighbour_count)
        check_non_negative("shrinkage", self.shrinkage)
        check_positive_int("window", self.window)
        check_fraction("decay", self.decay)
        if not isinstance(self.directed, bool):
            raise ValueError(
                f"invalid directed: {self.directed!r}, expected true or false"
            )
        check_half_life(self.recency_half_life)

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> SequenceKNNScorer:
        """Count the item pairs of ``data``, keep the neighbours; ``seed`` is unused."""
        self.check_params()
        neighbour_count = check_positive_int("neighbour_count", self.neighbour_count)
        shrinkage = check_non_negative("shrinkage", self.shrinkage)
        window = check_positive_int("window", self.window)
        decay = check_fraction("decay", self.decay)
        half_life = check_half_life(self.recency_half_life)
        started = time.perf_counter()

        # NOTE: the pair counts are a dense item x item float64 matrix (8 bytes
        # a cell), which by estimate suits catalogues up to about 20,000 items.
        counts = sequence_pair_counts(
            data, window, decay, progress=named_progress(progress, self.name)
        )
        if not self.directed:
            counts = counts + counts.T
        item_users = data.matrix().sum(axis=0, dtype=np.float64)
        denominators = np.sqrt(item_users[:, None] * item_users[None, :]) + shrinkage
        similarities = np.divide(
            counts, denominators, out=np.zeros_like(counts), where=denominators > 0
        )
        self.neighbours_, self.similarities_ = _scored_item_neighbours(
            similarities, neighbour_count
        )
        (
            self.history_offsets_,
            self.history_items_,
            self.history_weights_,
        ) = recency_weights(data, half_life)
        _log.info(
            "sequence_knn: kept %d neighbours for each of %d items in %.2fs",
            self.neighbours_.shape[1],
            data.item_count,
            time.perf_counter() - started,
        )
        return self


def sequence_pair_counts(
    data: InteractionData,
    window: int,
    decay: float,
    *,
    progress: Progress | None = None,
) -> np.ndarray:
    """Count item i followed by item j within ``window`` interactions of one user.

    A pair whose items are ``gap`` interactions apart adds ``decay ** (gap - 1)``.
    A user's repeated interactions with one item count as separate positions.

    Returns
    -------
    ndarray of shape (item_count, item_count), float64
        Row i, column j is the weighted count of i before j; the diagonal is 0.
    """
    item_count = data.item_count
    users = data.users.astype(np.int64)
    items = data.items.astype(np.int64)
    flat = np.zeros(item_count * item_count, dtype=np.float64)
    for gap in range(1, window + 1):
        if gap >= len(items):
            break
        same_user = users[:-gap] == users[gap:]
        if not same_user.any():
            break
        pairs = items[:-gap][same_user] * item_count + items[gap:][same_user]
        flat += decay ** (gap - 1) * np.bincount(pairs, minlength=len(flat))
        if progress is not None:
            progress(gap, window, "sequence pairs")
    counts = flat.reshape(item_count, item_count)
    np.fill_diagonal(counts, 0.0)
    return counts


def _scored_item_neighbours(
    similarities: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Keep each scored item's ``k`` most similar history items.

    ``similarities[i, j]`` is the similarity of history item i to scored item
    j, so row j of the result reads column j. An item is never its own
    neighbour. Ties go to the lower item index.
    """
    item_count = similarities.shape[0]
    k = min(k, max(item_count - 1, 0))
    neighbours = np.zeros((item_count, k), dtype=np.int64)
    values = np.zeros((item_count, k), dtype=np.float32)
    block_rows = max(1, _BLOCK_CELLS // max(item_count, 1))
    for start in range(0, item_count, block_rows):
        stop = min(start + block_rows, item_count)
        block = similarities[:, start:stop].T.astype(np.float32)
        block[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        neighbours[start:stop], values[start:stop] = top_k(block, k)
    return neighbours, values
