"""Anchors from the ``implicit`` package: ALS, BPR and item-item cosine, on the CPU.

``implicit`` warns when OpenBLAS runs its own thread pool, because its solvers
call BLAS from many threads at once. Every fit here therefore runs inside
``threadpool_limits(1, "blas")`` and with ``num_threads=1``, so one seed gives the
same factors on every run (BPR's Hogwild updates are otherwise order-dependent).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from engine.features import InteractionData
from engine.models import Progress, Scorer
from engine.models._checks import check_fitted, check_users

_log = logging.getLogger(__name__)


def user_items(data: InteractionData):
    """Return the binary user x item matrix of ``data`` as a SciPy CSR matrix."""
    from scipy import sparse

    return sparse.csr_matrix(data.matrix())


def _single_blas_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


class _FactorScorer(Scorer):
    """Base of the ALS and BPR anchors: a score is a user-item factor dot product."""

    def __init__(self):
        self.user_factors_: np.ndarray | None = None
        self.item_factors_: np.ndarray | None = None

    def _keep_factors(self, model) -> None:
        self.user_factors_ = np.asarray(model.user_factors, dtype=np.float32)
        self.item_factors_ = np.asarray(model.item_factors, dtype=np.float32)

    def score(self, users, *, context=None) -> np.ndarray:
        """Return the dot products of the users' and every item's factors."""
        check_fitted(self, "user_factors_")
        users = check_users(users, len(self.user_factors_))
        return self.user_factors_[users] @ self.item_factors_.T


class ImplicitALSScorer(_FactorScorer):
    """``implicit.als.AlternatingLeastSquares`` on the binary matrix.

    Parameters
    ----------
    embedding_size : int, default=64
        ``factors`` of implicit.
    regularization : float, default=0.01
    alpha : float, default=1.0
        Confidence weight of a positive entry.
    epochs : int, default=15
        ``iterations`` of implicit.
    """

    name = "implicit_als"

    def __init__(
        self,
        embedding_size: int = 64,
        regularization: float = 0.01,
        alpha: float = 1.0,
        epochs: int = 15,
    ):
        super().__init__()
        self.embedding_size = embedding_size
        self.regularization = regularization
        self.alpha = alpha
        self.epochs = epochs

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> ImplicitALSScorer:
        from implicit.als import AlternatingLeastSquares

        with _single_blas_thread():
            model = AlternatingLeastSquares(
                factors=self.embedding_size,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.epochs,
                random_state=seed,
                num_threads=1,
                use_gpu=False,
            )
            model.fit(user_items(data), show_progress=False)
        self._keep_factors(model)
        return self


class ImplicitBPRScorer(_FactorScorer):
    """``implicit.bpr.BayesianPersonalizedRanking`` on the binary matrix.

    implicit appends an item bias to the item factors and a constant 1 to the user
    factors, so the dot product includes the bias.

    Parameters
    ----------
    embedding_size : int, default=64
    learning_rate : float, default=0.01
    regularization : float, default=0.01
    epochs : int, default=100
    """

    name = "implicit_bpr"

    def __init__(
        self,
        embedding_size: int = 64,
        learning_rate: float = 0.01,
        regularization: float = 0.01,
        epochs: int = 100,
    ):
        super().__init__()
        self.embedding_size = embedding_size
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.epochs = epochs

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> ImplicitBPRScorer:
        from implicit.bpr import BayesianPersonalizedRanking

        with _single_blas_thread():
            model = BayesianPersonalizedRanking(
                factors=self.embedding_size,
                learning_rate=self.learning_rate,
                regularization=self.regularization,
                iterations=self.epochs,
                random_state=seed,
                num_threads=1,
                use_gpu=False,
            )
            model.fit(user_items(data), show_progress=False)
        self._keep_factors(model)
        return self


class ImplicitCosineScorer(Scorer):
    """``implicit.nearest_neighbours.CosineRecommender``: item-item cosine.

    implicit keeps the ``neighbour_count`` most similar items of every item. A
    user's score for item j is the sum of the kept similarities from the user's
    items to j.

    Parameters
    ----------
    neighbour_count : int, default=50
        ``K`` of implicit.
    """

    name = "implicit_cosine"

    def __init__(self, neighbour_count: int = 50):
        self.neighbour_count = neighbour_count

        # Learned state.
        self.similarity_ = None
        self.user_items_ = None

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> ImplicitCosineScorer:
        """Compute implicit's item neighbours; ``seed`` is unused."""
        from implicit.nearest_neighbours import CosineRecommender
        from implicit.utils import ParameterWarning

        model = CosineRecommender(K=self.neighbour_count, num_threads=1)
        self.user_items_ = user_items(data)
        with _single_blas_thread(), warnings.catch_warnings():
            # implicit 0.7.3 normalizes the matrix to COO inside fit and then warns
            # that it expected CSR, about its own conversion.
            warnings.simplefilter("ignore", ParameterWarning)
            model.fit(self.user_items_, show_progress=False)
        self.similarity_ = model.similarity.tocsr()
        return self

    def score(self, users, *, context=None) -> np.ndarray:
        """Multiply each user's history row by the sparse similarity matrix."""
        check_fitted(self, "similarity_")
        users = check_users(users, self.user_items_.shape[0])
        scores = self.user_items_[users] @ self.similarity_
        return np.asarray(scores.toarray(), dtype=np.float32)
