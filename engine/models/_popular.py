"""Most-popular baseline: one list for everyone, by number of distinct users."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from engine.features import InteractionData
from engine.models._base import Progress, Scorer, named_progress
from engine.models._checks import check_fitted, check_users
from engine.models._state import load_state, save_state

_log = logging.getLogger(__name__)


class PopularityScorer(Scorer):
    """Score each item by the number of distinct users who interacted with it.

    Every user gets the same scores, so this is the floor any personalised
    model has to beat. Repeated interactions of one user with one item count
    once, as in :meth:`InteractionData.matrix`.

    Attributes
    ----------
    item_counts_ : ndarray of shape (item_count,), float32
        Distinct users per item in the fitted data.
    user_count_ : int
        Number of users of the fitted data; valid user indices are below it.

    Examples
    --------
    >>> from engine.features import InteractionData
    >>> data = InteractionData.from_arrays(
    ...     user_ids=[1, 2], item_ids=[10, 20, 30],
    ...     interaction_users=[1, 1, 1, 2], interaction_items=[10, 20, 20, 20],
    ...     timestamps=[0, 1, 2, 3])
    >>> PopularityScorer().fit(data).score([0]).tolist()
    [[1.0, 2.0, 0.0]]
    """

    name = "popular"

    def __init__(self):
        self.item_counts_: np.ndarray | None = None
        self.user_count_: int = 0

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> PopularityScorer:
        """Count the distinct users of every item; ``seed`` is unused."""
        self.item_counts_ = (
            data.matrix().sum(axis=0, dtype=np.float64).astype(np.float32)
        )
        self.user_count_ = data.user_count
        progress = named_progress(progress, self.name)
        if progress is not None:
            progress(1, 1, "item counts")
        _log.info(
            "popular: counted %d interactions over %d items",
            data.interaction_count,
            data.item_count,
        )
        return self

    def score(
        self, users: np.ndarray, *, context: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Return the item counts once per user, shape (len(users), item_count)."""
        check_fitted(self, "item_counts_")
        users = check_users(users, self.user_count_)
        return np.tile(self.item_counts_, (len(users), 1))

    def save(self, directory: Path) -> None:
        check_fitted(self, "item_counts_")
        save_state(
            directory,
            self.name,
            self.get_params(),
            {"item_counts": self.item_counts_},
            {"user_count": self.user_count_},
        )

    @classmethod
    def load(cls, directory: Path) -> PopularityScorer:
        params, arrays, extra = load_state(directory, cls.name)
        scorer = cls(**params)
        scorer.item_counts_ = arrays["item_counts"]
        scorer.user_count_ = int(extra["user_count"])
        return scorer
