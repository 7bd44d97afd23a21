"""Anchors with a closed form: most-popular and EASE, in numpy."""

from __future__ import annotations

import logging
import time

import numpy as np

from engine.features import InteractionData
from engine.models import Progress, Scorer
from engine.models._checks import check_fitted, check_non_negative, check_users

_log = logging.getLogger(__name__)


class MostPopularScorer(Scorer):
    """Score each item by its number of distinct users in the fitted data.

    Attributes
    ----------
    item_counts_ : ndarray of shape (item_count,), float32
    """

    name = "most_popular"

    def __init__(self):
        self.item_counts_: np.ndarray | None = None
        self.user_count_ = 0

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> MostPopularScorer:
        """Count the users of every item; ``seed`` is unused."""
        self.item_counts_ = (
            data.matrix().sum(axis=0, dtype=np.float64).astype(np.float32)
        )
        self.user_count_ = data.user_count
        return self

    def score(self, users, *, context=None) -> np.ndarray:
        """Return the item counts once per user, shape (len(users), item_count)."""
        check_fitted(self, "item_counts_")
        users = check_users(users, self.user_count_)
        return np.tile(self.item_counts_, (len(users), 1))


def ease_weights(matrix: np.ndarray, l2: float) -> np.ndarray:
    """Solve EASE in closed form: the item-item weights with a zero diagonal.

    With ``P = (X^T X + l2 I)^-1``, the weights are ``B = I - P / diag(P)``, each
    column j divided by ``P_jj``, which makes ``diag(B) = 0``. ``B`` minimises
    ``|X - X B|^2 + l2 |B|^2`` under that constraint (Steck, "Embarrassingly
    Shallow Autoencoders for Sparse Data", WWW 2019).

    Parameters
    ----------
    matrix : ndarray of shape (user_count, item_count)
        The binary user x item matrix X.
    l2 : float
        L2 regularization; must be above 0 when an item has no users, because
        ``X^T X`` is then singular.

    Returns
    -------
    ndarray of shape (item_count, item_count), float64
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    gram = matrix.T @ matrix
    gram[np.diag_indices_from(gram)] += l2
    inverse = np.linalg.inv(gram)
    weights = -inverse / np.diag(inverse)[None, :]
    weights[np.diag_indices_from(weights)] = 0.0
    return weights


class EASEScorer(Scorer):
    """EASE: a linear item-item model with a zero diagonal, solved in closed form.

    A user's scores are their binary history row times the weights of
    :func:`ease_weights`.

    Parameters
    ----------
    l2 : float, default=200.0
        L2 regularization of the weights.
    """

    name = "ease"

    def __init__(self, l2: float = 200.0):
        self.l2 = l2

        # Learned state.
        self.weights_: np.ndarray | None = None
        self.matrix_: np.ndarray | None = None

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> EASEScorer:
        """Invert the regularized Gram matrix of ``data``; ``seed`` is unused."""
        l2 = check_non_negative("l2", self.l2)
        if l2 == 0:
            raise ValueError(f"invalid l2: {self.l2!r}, expected a number above 0")
        started = time.perf_counter()
        self.matrix_ = data.matrix()
        self.weights_ = ease_weights(self.matrix_, l2).astype(np.float32)
        _log.info(
            "ease: solved %d x %d weights in %.2fs",
            data.item_count,
            data.item_count,
            time.perf_counter() - started,
        )
        return self

    def score(self, users, *, context=None) -> np.ndarray:
        """Multiply each user's history row by the weights."""
        check_fitted(self, "weights_")
        users = check_users(users, len(self.matrix_))
        return self.matrix_[users] @ self.weights_
