"""Anchor from the ``lightfm`` package: WARP, with or without genre features.

LightFM 1.17 ships only a source archive whose ``setup.py`` fails under PEP 517
builds, so it is installed with ``pip install --no-build-isolation
--no-use-pep517 lightfm==1.17`` (gcc compiles its C extension).
"""

from __future__ import annotations

import logging

import numpy as np

from engine.features import InteractionData
from engine.models import Progress, Scorer
from engine.models._checks import check_fitted, check_users

_log = logging.getLogger(__name__)


def genre_features(data: InteractionData, column: str = "genres"):
    """Build LightFM item features: one identity column per item plus its genres.

    Each row is scaled to sum to 1, so an item's vector is the mean of its id
    embedding and its genre embeddings.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (item_count, item_count + genre_count), float32
    """
    from scipy import sparse

    if column not in data.item_features.column_names:
        raise ValueError(
            f"missing item column: {column!r}, expected a list of genres per item "
            "(ingest MovieLens items first)"
        )
    genres = data.item_features.column(column).to_pylist()
    names = sorted({genre for values in genres for genre in values or []})
    positions = {genre: data.item_count + index for index, genre in enumerate(names)}
    rows, columns = [], []
    for item, values in enumerate(genres):
        for feature in [item] + [positions[genre] for genre in set(values or [])]:
            rows.append(item)
            columns.append(feature)
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)),
        shape=(data.item_count, data.item_count + len(names)),
    )
    row_sums = np.asarray(matrix.sum(axis=1)).ravel()
    return sparse.diags(1.0 / row_sums).astype(np.float32) @ matrix


class LightFMScorer(Scorer):
    """LightFM with the WARP loss on the binary matrix.

    The score of item j for user u is ``p_u . q_j + b_j``, with ``q_j`` and ``b_j``
    the sums over j's features (its id alone, or its id and genres).

    Parameters
    ----------
    embedding_size : int, default=64
        ``no_components`` of LightFM.
    epochs : int, default=30
    learning_rate : float, default=0.05
    regularization : float, default=0.0
        ``item_alpha`` and ``user_alpha`` of LightFM.
    use_genres : bool, default=False
        Add the items' genres as features.
    """

    name = "lightfm"

    def __init__(
        self,
        embedding_size: int = 64,
        epochs: int = 30,
        learning_rate: float = 0.05,
        regularization: float = 0.0,
        use_genres: bool = False,
    ):
        self.embedding_size = embedding_size
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.use_genres = use_genres

        # Learned state.
        self.user_embeddings_: np.ndarray | None = None
        self.item_embeddings_: np.ndarray | None = None
        self.item_biases_: np.ndarray | None = None

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> LightFMScorer:
        from lightfm import LightFM
        from scipy import sparse

        item_features = genre_features(data) if self.use_genres else None
        model = LightFM(
            no_components=self.embedding_size,
            loss="warp",
            learning_rate=self.learning_rate,
            item_alpha=self.regularization,
            user_alpha=self.regularization,
            random_state=seed,
        )
        interactions = sparse.coo_matrix(data.matrix())
        model.fit(
            interactions,
            item_features=item_features,
            epochs=self.epochs,
            num_threads=1,
        )
        self.item_biases_, self.item_embeddings_ = model.get_item_representations(
            item_features
        )
        _, self.user_embeddings_ = model.get_user_representations()
        return self

    def score(self, users, *, context=None) -> np.ndarray:
        """Return ``p_u . q_j + b_j`` for every item j."""
        check_fitted(self, "user_embeddings_")
        users = check_users(users, len(self.user_embeddings_))
        scores = self.user_embeddings_[users] @ self.item_embeddings_.T
        return (scores + self.item_biases_[None, :]).astype(np.float32)
