"""Linear next-item model: ridge regression from a user's items to the next one.

Every position of a user's sequence is one training row. Its features are the
user's items up to that position, described twice: the recent items, weighted
by a decay over their age, and the whole history, each item weighted alike.
Its target is the item that comes next. The least-squares weights with an L2
penalty have a closed form, so the fit is one linear solve, with no sampling
and no epochs.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from engine.features import InteractionData
from engine.models._base import Progress, Scorer, named_progress
from engine.models._checks import (
    check_fitted,
    check_fraction,
    check_non_negative,
    check_positive,
    check_positive_int,
    check_users,
)
from engine.models._state import load_state, save_state

_log = logging.getLogger(__name__)

#: Largest catalogue the model fits. The solve needs a dense float64 matrix of
#: (2 x items) squared cells, 7.2 GB at this size.
MAX_ITEMS = 15_000

#: Positions of a user that the model reads, the most recent ones. A user's
#: training rows cost (2 x positions) squared cells while they are summed.
MAX_SEQUENCE = 2_000


class SequenceLinearScorer(Scorer):
    """Closed-form linear model that predicts a user's next item.

    For position t of a user's sequence (items in interaction order), the
    feature vector has two halves, each with one column per catalogue item.
    The recent-items half gives the item at age a (0 for the item at t) the
    weight ``recency_decay ** a``, for the ``recent_length`` items up to t.
    The whole-history half gives every item up to t the weight
    ``history_weight / sqrt(t + 1)``, so long and short histories weigh
    about the same. The target is the item at t + 1.
    The weights W, of shape (2 x items, items), minimise the squared error
    plus ``regularization`` times the squared norm of W. A user's score for
    item j is the user's feature vector at the latest position times column
    j of W.

    Parameters
    ----------
    recent_length : int, default=50
        Number of the user's latest items that the recent-items features weigh.
    recency_decay : float, default=0.9
        Weight of a recent item relative to the next newer one, from 0 to 1.
        The item at age a weighs ``recency_decay ** a``.
    history_weight : float, default=2.0
        Scale of the whole-history features against the recent-items ones.
        0 drops the whole history.
    regularization : float, default=1000.0
        L2 penalty on the weights, added to the diagonal of the Gram matrix.
        It must be above 0, because the solve needs it.

    Attributes
    ----------
    weights_ : ndarray of shape (2 * item_count, item_count), float32
        Row i < item_count is recent item i, row item_count + i history item i.
    sequence_offsets_, sequence_items_ : ndarray, int64
        User u's last items, in order, are
        ``sequence_items_[sequence_offsets_[u]:sequence_offsets_[u + 1]]``.

    Notes
    -----
    The fit reads interaction order. Under the ``loo`` protocol that order
    breaks ties within one second by item id, which the model can learn
    from, so report it beside ``loo-shuffled``.

    The defaults were chosen on the validation item of the MovieLens-100K
    ``loo`` split (tuning phase). There the model alone reached
    recall@10/30/100 of 0.247 / 0.420 / 0.644. One fit of the two towers
    reached 0.223 / 0.413 / 0.703, and sequence-kNN 0.220 / 0.397 / 0.633.
    Without the whole-history half it scored 0.229 / 0.415 / 0.650. History
    weights of 1 and 4 scored 0.234 and 0.236 at recall@10, penalties of 300
    and 3000 0.238 and 0.227, and a recency decay of 0.8 with a history
    weight of 3 0.244. Training on the next three items, weighted 1, 0.5 and
    0.25, instead of the next one lowered recall@10 by 0.004 to 0.008, and a
    penalty that grows with each feature's share of the Gram diagonal left
    it within 0.002. On the final phase of the same split it scored only
    0.161 / 0.319 / 0.541, below sequence-kNN's 0.179, most likely because
    the final test items are rarer films than the validation items. The
    benchmark page (``docs/BENCHMARKS.md``) shows the counts.

    The fit is dense in the catalogue: its memory grows with the square of
    the item count, so it rejects catalogues above :data:`MAX_ITEMS` items
    (``max_items``). ``sqlrec train`` and ``sqlrec evaluate`` without a model
    list, and the hybrid, leave it out of such catalogues.
    Each user contributes at most the last :data:`MAX_SEQUENCE` positions.
    """

    name = "sequence_linear"
    max_items = MAX_ITEMS

    def __init__(
        self,
        recent_length: int = 50,
        recency_decay: float = 0.9,
        *,
        history_weight: float = 2.0,
        regularization: float = 1000.0,
    ):
        self.recent_length = recent_length
        self.recency_decay = recency_decay
        self.history_weight = history_weight
        self.regularization = regularization

        # Learned state.
        self.weights_: np.ndarray | None = None
        self.sequence_offsets_: np.ndarray | None = None
        self.sequence_items_: np.ndarray | None = None
        # float64 copy of weights_ for scoring, made on the first score call.
        self._scoring_weights: np.ndarray | None = None

    def check_params(self) -> None:
        check_positive_int("recent_length", self.recent_length)
        check_fraction("recency_decay", self.recency_decay)
        check_non_negative("history_weight", self.history_weight)
        check_positive("regularization", self.regularization)

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> SequenceLinearScorer:
        """Solve for the weights on every user's sequence; ``seed`` is unused."""
        self.check_params()
        item_count = data.item_count
        if item_count > self.max_items:
            raise ValueError(
                f"invalid catalogue for sequence_linear: {item_count:,} items, "
                f"expected at most {self.max_items:,} (the fit is dense in the "
                "catalogue; use sequence_knn or two_tower for larger ones)"
            )

        started = time.perf_counter()
        offsets, items = _last_sequences(data)
        progress = named_progress(progress, self.name)
        size = 2 * item_count
        gram = np.zeros((size, size), dtype=np.float64)
        cross = np.zeros((size, item_count), dtype=np.float64)
        user_count = len(offsets) - 1
        for user in range(user_count):
            sequence = items[offsets[user] : offsets[user + 1]]
            if len(sequence) >= 2:
                self._add_user(gram, cross, sequence, item_count)
            if progress is not None and (
                (user + 1) % 100 == 0 or user + 1 == user_count
            ):
                progress(user + 1, user_count, "users")

        gram[np.diag_indices_from(gram)] += self.regularization
        self.weights_ = np.linalg.solve(gram, cross).astype(np.float32)
        self._scoring_weights = None
        self.sequence_offsets_ = offsets
        self.sequence_items_ = items
        _log.info(
            "sequence_linear: solved %d x %d weights on %d users in %.2fs",
            size,
            item_count,
            user_count,
            time.perf_counter() - started,
        )
        return self

    def _add_user(self, gram, cross, sequence, item_count) -> None:
        """Add one user's rows to the Gram matrix and the feature-target products."""
        rows = self._position_features(len(sequence))[:-1]
        columns = np.concatenate([sequence, item_count + sequence])
        products = rows.T @ rows
        targets = sequence[1:]
        if len(np.unique(sequence)) == len(sequence):
            gram[np.ix_(columns, columns)] += products
            cross[np.ix_(columns, targets)] += rows.T
        else:
            # Repeated items: fancy-index += would keep one of the duplicates.
            np.add.at(gram, (columns[:, None], columns[None, :]), products)
            np.add.at(cross, (columns[:, None], targets[None, :]), rows.T)

    def _position_features(
        self, length: int, positions: np.ndarray | None = None
    ) -> np.ndarray:
        """Build the feature rows of ``positions`` (default: all) of a sequence.

        The sequence has ``length`` items. Returns (len(positions), 2 * length)
        float64: the row of position t weighs sequence position j in column j
        (recent-items half) and column length + j (whole-history half).
        """
        if positions is None:
            positions = np.arange(length)
        ages = positions[:, None] - np.arange(length)[None, :]
        recent = np.where(
            (ages >= 0) & (ages < self.recent_length),
            self.recency_decay ** np.clip(ages, 0, None),
            0.0,
        )
        history = np.where(ages >= 0, 1.0, 0.0) * (
            self.history_weight / np.sqrt(positions + 1.0)
        )[:, None]
        return np.concatenate([recent, history], axis=1)

    def score(
        self, users: np.ndarray, *, context: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Score every item for each user in ``users``; ``context`` is ignored.

        Returns an array of shape (len(users), item_count), float32.
        """
        check_fitted(self, "weights_")
        users = check_users(users, len(self.sequence_offsets_) - 1)
        item_count = self.weights_.shape[1]
        features = np.zeros((len(users), 2 * item_count), dtype=np.float64)
        for row, user in enumerate(users):
            sequence = self.sequence_items_[
                self.sequence_offsets_[user] : self.sequence_offsets_[user + 1]
            ]
            if len(sequence) == 0:
                continue
            latest = np.array([len(sequence) - 1])
            weights = self._position_features(len(sequence), latest)[0]
            columns = np.concatenate([sequence, item_count + sequence])
            np.add.at(features[row], columns, weights)
        if self._scoring_weights is None:
            self._scoring_weights = self.weights_.astype(np.float64)
        # float64 products, rounded to float32, keep a user's scores the same
        # whatever batch the user is scored in.
        return (features @ self._scoring_weights).astype(np.float32)

    def save(self, directory) -> None:
        check_fitted(self, "weights_")
        save_state(
            directory,
            self.name,
            self.get_params(),
            {
                "weights": self.weights_,
                "sequence_offsets": self.sequence_offsets_,
                "sequence_items": self.sequence_items_,
            },
        )

    @classmethod
    def load(cls, directory) -> SequenceLinearScorer:
        params, arrays, _ = load_state(directory, cls.name)
        scorer = cls(**params)
        scorer.weights_ = arrays["weights"]
        scorer.sequence_offsets_ = arrays["sequence_offsets"]
        scorer.sequence_items_ = arrays["sequence_items"]
        return scorer


def _last_sequences(data: InteractionData) -> tuple[np.ndarray, np.ndarray]:
    """Return each user's last :data:`MAX_SEQUENCE` items, in order.

    User u's items are ``items[offsets[u]:offsets[u + 1]]``.
    """
    offsets = data.user_offsets().astype(np.int64)
    starts = np.maximum(offsets[:-1], offsets[1:] - MAX_SEQUENCE)
    lengths = offsets[1:] - starts
    kept_offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=kept_offsets[1:])
    rows = np.repeat(starts - kept_offsets[:-1], lengths) + np.arange(kept_offsets[-1])
    return kept_offsets, data.items.astype(np.int64)[rows]
