"""Item-based neighbourhood model over the user-item matrix."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from engine.features import InteractionData
from engine.models._base import Progress, Scorer, named_progress
from engine.models._checks import check_fitted, check_positive_int, check_users
from engine.models._neighbours import check_neighbour_settings, nearest_neighbours
from engine.models._state import load_state, save_state
from engine.models._weighting import recency_weights, weight_interactions

_log = logging.getLogger(__name__)


class ItemKNNScorer(Scorer):
    """Score an item by how similar it is to the items a user already has.

    Fitting weights the user x item matrix (``weighting``), computes the
    similarity of every pair of items over their users and keeps each item's
    ``neighbour_count`` most similar items (see :func:`nearest_neighbours` for
    the similarity formulas). A user's score for item j is the sum of j's kept
    similarities to the items in the user's fitted history, each multiplied by
    the item's recency weight ``0.5 ** (age / recency_half_life)``, where age
    counts the user's interactions after that item. Items outside j's
    neighbours contribute nothing, so a small ``neighbour_count`` removes the
    noise of many weak similarities.

    Parameters
    ----------
    neighbour_count : int, default=20
        Neighbours kept per item.
    similarity : {"cosine", "asymmetric_cosine", "jaccard"}, default="jaccard"
        Similarity of two items' (weighted) user vectors.
    alpha : float, default=0.5
        Exponent of ``asymmetric_cosine`` on the scored item's norm, from 0 to
        1; a smaller value divides more by the history item's popularity.
    shrinkage : float, default=20.0
        Added to the similarity's denominator; lowers similarities built on few users.
    weighting : {"none", "idf", "bm25"}, default="bm25"
        Weighting of the interaction matrix before the similarities (see
        :func:`weight_interactions`). Under ``bm25`` a user with many items
        adds less to each item pair.
    recency_half_life : float or None, default=7.0
        Age, in interactions, at which a history item counts half as much as
        the user's latest one; ``None`` counts every history item alike.

    Attributes
    ----------
    neighbours_ : ndarray of shape (item_count, neighbour_count), int64
        Row j lists j's neighbours by similarity descending, ties to the lower index.
    similarities_ : ndarray of shape (item_count, neighbour_count), float32
    history_offsets_, history_items_ : ndarray, int64
        Each fitted user's distinct items, ascending, are
        ``history_items_[history_offsets_[u]:history_offsets_[u + 1]]``.
    history_weights_ : ndarray, float32
        The recency weight of each entry of ``history_items_``.

    Notes
    -----
    The defaults were chosen on the validation item of the MovieLens-100K
    ``loo`` split (tuning phase). Recency weighting raised recall@10 of the
    plain shrunk cosine there from 0.125 to about 0.19. With it, Jaccard,
    cosine and asymmetric cosine with alpha from 0.35 to 0.65, every
    weighting, shrinkage from 0 to 20 and 15 to 30 neighbours scored within
    about 0.01 of each other, while alpha 0.2 and 10 neighbours scored lower.
    Keeping the neighbours of the scored item (rather than of each history
    item) gave clearly higher recall@100.
    """

    name = "item_knn"

    def __init__(
        self,
        neighbour_count: int = 20,
        shrinkage: float = 20.0,
        *,
        similarity: str = "jaccard",
        alpha: float = 0.5,
        weighting: str = "bm25",
        recency_half_life: float | None = 7.0,
    ):
        self.neighbour_count = neighbour_count
        self.shrinkage = shrinkage
        self.similarity = similarity
        self.alpha = alpha
        self.weighting = weighting
        self.recency_half_life = recency_half_life

        # Learned state.
        self.neighbours_: np.ndarray | None = None
        self.similarities_: np.ndarray | None = None
        self.history_offsets_: np.ndarray | None = None
        self.history_items_: np.ndarray | None = None
        self.history_weights_: np.ndarray | None = None

    def check_params(self) -> None:
        check_positive_int("neighbour_count", self.neighbour_count)
        check_neighbour_settings(self)

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> ItemKNNScorer:
        """Compute the item neighbours of ``data``; ``seed`` is unused."""
        self.check_params()
        neighbour_count = check_positive_int("neighbour_count", self.neighbour_count)
        settings = check_neighbour_settings(self)
        started = time.perf_counter()

        # NOTE: fitting keeps the dense user x item matrix in float64 (8 bytes a
        # cell) and multiplies it with itself, in time proportional to users x
        # items^2. By estimate that suits catalogues up to a few tens of
        # thousands of items. Larger ones need a sparse matrix.
        weighted = weight_interactions(data.matrix(), settings["weighting"])
        self.neighbours_, self.similarities_ = nearest_neighbours(
            weighted.T,
            k=neighbour_count,
            similarity=settings["similarity"],
            alpha=settings["alpha"],
            shrinkage=settings["shrinkage"],
            progress=named_progress(progress, self.name),
        )
        (
            self.history_offsets_,
            self.history_items_,
            self.history_weights_,
        ) = recency_weights(data, settings["recency_half_life"])
        _log.info(
            "item_knn: kept %d %s neighbours for each of %d items in %.2fs",
            self.neighbours_.shape[1],
            settings["similarity"],
            data.item_count,
            time.perf_counter() - started,
        )
        return self

    def score(
        self, users: np.ndarray, *, context: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Sum each item's similarities to the user's items, weighted by recency.

        Returns an array of shape (len(users), item_count), float32.

        Each user is scored on its own, so a user's scores do not depend on
        which other users share the batch.
        """
        check_fitted(self, "neighbours_")
        users = check_users(users, len(self.history_offsets_) - 1)
        item_count = len(self.neighbours_)
        scores = np.zeros((len(users), item_count), dtype=np.float32)
        history_weight = np.zeros(item_count, dtype=np.float32)
        offsets = self.history_offsets_
        for row, user in enumerate(users):
            entries = slice(offsets[user], offsets[user + 1])
            history = self.history_items_[entries]
            history_weight[history] = self.history_weights_[entries]
            weighted = self.similarities_ * history_weight[self.neighbours_]
            scores[row] = weighted.sum(axis=1)
            history_weight[history] = 0.0
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
                "history_weights": self.history_weights_,
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
        scorer.history_weights_ = arrays["history_weights"]
        return scorer
