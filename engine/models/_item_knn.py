"""Item-based neighbourhood model over the binary user-item matrix."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from engine.features import InteractionData
from engine.models._base import Progress, Scorer
from engine.models._checks import (
    check_fitted,
    check_non_negative,
    check_positive_int,
    check_users,
)
from engine.models._neighbours import cosine_neighbours
from engine.models._state import history_csr, load_state, save_state

_log = logging.getLogger(__name__)


class ItemKNNScorer(Scorer):
    """Score an item by how similar it is to the items a user already has.

    Fitting computes the shrunk cosine similarity of every pair of items,
    ``c_ij / (sqrt(n_i n_j) + shrinkage)`` with ``c_ij`` the number of users
    who have both items and ``n_i`` the users of item i, and keeps each item's
    ``neighbour_count`` most similar items. A user's score for item j is the
    sum of j's kept similarities to items in the user's fitted history. Items
    outside j's neighbours contribute nothing, so a small ``neighbour_count``
    removes the noise of many weak similarities.

    Parameters
    ----------
    neighbour_count : int, default=20
        Neighbours kept per item.
    shrinkage : float, default=5.0
        Added to the cosine's denominator; lowers similarities built on few users.

    Attributes
    ----------
    neighbours_ : ndarray of shape (item_count, neighbour_count), int64
        Row j lists j's neighbours by similarity descending, ties to the lower index.
    similarities_ : ndarray of shape (item_count, neighbour_count), float32
    history_offsets_, history_items_ : ndarray, int64
        Each fitted user's distinct items (see :func:`history_csr`).

    Notes
    -----
    Both defaults were chosen on the validation item of the MovieLens-100K
    leave-last-out split. Keeping the neighbours of the scored item (rather
    than of each history item) gave clearly higher recall@100 there.
    """

    name = "item_knn"

    def __init__(self, neighbour_count: int = 20, shrinkage: float = 5.0):
        self.neighbour_count = neighbour_count
        self.shrinkage = shrinkage

        # Learned state.
        self.neighbours_: np.ndarray | None = None
        self.similarities_: np.ndarray | None = None
        self.history_offsets_: np.ndarray | None = None
        self.history_items_: np.ndarray | None = None

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> ItemKNNScorer:
        """Compute the item neighbours of ``data``; ``seed`` is unused."""
        neighbour_count = check_positive_int("neighbour_count", self.neighbour_count)
        shrinkage = check_non_negative("shrinkage", self.shrinkage)
        started = time.perf_counter()

        # NOTE: fitting holds the dense user x item matrix (4 bytes a cell) and
        # multiplies it with itself, in time proportional to users x items^2.
        # By estimate that suits catalogues up to a few tens of thousands of
        # items. Larger ones need a sparse matrix.
        matrix = data.matrix()
        self.neighbours_, self.similarities_ = cosine_neighbours(
            matrix.T, k=neighbour_count, shrinkage=shrinkage, progress=progress
        )
        self.history_offsets_, self.history_items_ = history_csr(matrix)
        _log.info(
            "item_knn: kept %d neighbours for each of %d items in %.2fs",
            self.neighbours_.shape[1],
            data.item_count,
            time.perf_counter() - started,
        )
        return self

    def score(
        self, users: np.ndarray, *, context: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Sum each item's similarities to the user's items.

        Returns an array of shape (len(users), item_count), float32.

        Each user is scored on its own, so a user's scores do not depend on
        which other users share the batch.
        """
        check_fitted(self, "neighbours_")
        users = check_users(users, len(self.history_offsets_) - 1)
        item_count = len(self.neighbours_)
        scores = np.zeros((len(users), item_count), dtype=np.float32)
        has_item = np.zeros(item_count, dtype=np.float32)
        for row, user in enumerate(users):
            history = self.history_items_[
                self.history_offsets_[user] : self.history_offsets_[user + 1]
            ]
            has_item[history] = 1.0
            scores[row] = (self.similarities_ * has_item[self.neighbours_]).sum(axis=1)
            has_item[history] = 0.0
        return scores

    def save(self, directory: Path) -> None:
        check_fitted(self, "neighbours_")
        save_state(
            directory,
            self.name,
            self.get_params(),
            {
                "neighbours": self.neighbours_,
                "similarities": self.similarities_,
                "history_offsets": self.history_offsets_,
                "history_items": self.history_items_,
            },
        )

    @classmethod
    def load(cls, directory: Path) -> ItemKNNScorer:
        params, arrays, _ = load_state(directory, cls.name)
        scorer = cls(**params)
        scorer.neighbours_ = arrays["neighbours"]
        scorer.similarities_ = arrays["similarities"]
        scorer.history_offsets_ = arrays["history_offsets"]
        scorer.history_items_ = arrays["history_items"]
        return scorer
