"""Sequence-aware anchor: item-kNN scored against a user's last items, recent first."""

from __future__ import annotations

import logging
import time

import numpy as np

from engine.features import InteractionData
from engine.models import Progress, Scorer
from engine.models._checks import (
    check_fitted,
    check_fraction,
    check_non_negative,
    check_positive_int,
    check_users,
)

_log = logging.getLogger(__name__)


def item_similarities(
    matrix: np.ndarray, *, shrinkage: float, popularity_exponent: float
) -> np.ndarray:
    """Compute the asymmetric, shrunk cosine similarity of every pair of items.

    The similarity of history item i to scored item j is
    ``c_ij / (n_i ** (1 - a) * n_j ** a + shrinkage)``, where ``c_ij`` counts the
    users who have both items, ``n_i`` the users of item i and ``a`` is
    ``popularity_exponent``. ``a = 0.5`` gives the shrunk cosine; a larger ``a``
    divides more by the scored item's popularity, so rarer items rank higher. The
    diagonal is 0, and items without users have similarity 0 to every item.

    Parameters
    ----------
    matrix : ndarray of shape (user_count, item_count)
        Binary user x item matrix.
    shrinkage : float
    popularity_exponent : float
        From 0 to 1.

    Returns
    -------
    ndarray of shape (item_count, item_count), float32
        Row i, column j is the similarity of history item i to scored item j.
    """
    matrix = np.asarray(matrix, dtype=np.float32)
    # Counts of binary rows are exact in float32 up to 2 ** 24 users.
    counts = (matrix.T @ matrix).astype(np.float64)
    users_per_item = np.diag(counts).copy()
    denominators = (
        users_per_item[:, None] ** (1.0 - popularity_exponent)
        * users_per_item[None, :] ** popularity_exponent
        + shrinkage
    )
    similarities = np.divide(
        counts, denominators, out=np.zeros_like(counts), where=denominators > 0
    )
    similarities[np.diag_indices_from(similarities)] = 0.0
    return similarities.astype(np.float32)


def recency_weights(
    data: InteractionData, users: np.ndarray, *, history_length: int, decay: float
) -> np.ndarray:
    """Weight each user's last ``history_length`` items by ``decay ** age``.

    Age is 0 for the user's most recent interaction, 1 for the one before, and so
    on, in the sequence order of ``data``. An item seen twice keeps the larger
    weight.

    Returns
    -------
    ndarray of shape (len(users), item_count), float32
    """
    offsets = data.user_offsets()
    weights = np.zeros((len(users), data.item_count), dtype=np.float32)
    for row, user in enumerate(users):
        start, stop = offsets[user], offsets[user + 1]
        recent = data.items[max(start, stop - history_length) : stop][::-1]
        ages = np.arange(len(recent), dtype=np.float64)
        np.maximum.at(weights[row], recent, (decay**ages).astype(np.float32))
    return weights


class RecencyItemKNNScorer(Scorer):
    """Item-kNN that scores against the user's last items, weighted by recency.

    A user's score for item j is ``sum_p decay ** p * s(i_p, j)`` over the user's
    last ``history_length`` items ``i_0`` (most recent), ``i_1``, ..., with ``s``
    the similarity of :func:`item_similarities`. It reads the fitted interactions in
    sequence order, which under ``loo-shuffled`` is the shuffled order.

    Parameters
    ----------
    history_length : int, default=8
        Number of the user's most recent interactions scored against.
    decay : float, default=0.6
        Weight ratio between an item and the next more recent one, from 0 to 1.
    shrinkage : float, default=20.0
        Added to the similarity's denominator.
    popularity_exponent : float, default=0.5
        Exponent of the scored item's popularity in the denominator; 0.5 is cosine.
    """

    name = "recency_item_knn"

    def __init__(
        self,
        history_length: int = 8,
        decay: float = 0.6,
        shrinkage: float = 20.0,
        popularity_exponent: float = 0.5,
    ):
        self.history_length = history_length
        self.decay = decay
        self.shrinkage = shrinkage
        self.popularity_exponent = popularity_exponent

        # Learned state.
        self.similarities_: np.ndarray | None = None
        self.data_: InteractionData | None = None

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> RecencyItemKNNScorer:
        """Compute the item similarities of ``data``; ``seed`` is unused."""
        check_positive_int("history_length", self.history_length)
        check_fraction("decay", self.decay)
        check_non_negative("shrinkage", self.shrinkage)
        check_fraction("popularity_exponent", self.popularity_exponent)
        started = time.perf_counter()
        self.similarities_ = item_similarities(
            data.matrix(),
            shrinkage=self.shrinkage,
            popularity_exponent=self.popularity_exponent,
        )
        self.data_ = data
        _log.info(
            "recency item-kNN: %d x %d similarities in %.2fs",
            data.item_count,
            data.item_count,
            time.perf_counter() - started,
        )
        return self

    def score(self, users, *, context=None) -> np.ndarray:
        """Sum the similarities of each item to the user's recent items."""
        check_fitted(self, "similarities_")
        users = check_users(users, self.data_.user_count)
        weights = recency_weights(
            self.data_, users, history_length=self.history_length, decay=self.decay
        )
        return weights @ self.similarities_
