"""Content model: a user profile over item metadata, blended with popularity."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from engine.features import FeatureEncoder, InteractionData
from engine.models._base import Progress, Scorer, named_progress
from engine.models._checks import check_fitted, check_fraction, check_users
from engine.models._state import load_state, save_state
from engine.models._weighting import check_half_life, recency_weights

_log = logging.getLogger(__name__)

# Titles are free text, so they are never encoded. FeatureEncoder skips item_id itself.
_SKIPPED_COLUMNS = ("title",)


class MetadataScorer(Scorer):
    """Content model: cosine to the user's metadata profile, plus a popularity prior.

    Item metadata (genres, year, channel...) is encoded with
    :class:`~engine.features.FeatureEncoder`, every feature is weighted by its
    inverse document frequency over the catalogue, so rare genres count more
    than "Drama", and each item vector is scaled to unit length. A user's
    profile is the weighted mean vector of the user's fitted items, each
    weighted by its recency ``0.5 ** (age / recency_half_life)``, where age
    counts the user's interactions after that item. The score of an
    item is ``(1 - popularity_weight) * cosine(profile, item) +
    popularity_weight * prior``, where the prior is ``log(1 + n) / log(1 +
    max n)`` for an item with n distinct users. Both terms lie in [0, 1].

    Parameters
    ----------
    popularity_weight : float, default=0.6
        Share of the popularity prior in the score, from 0 (content only) to
        1 (popularity only). Content alone ranks poorly on MovieLens, because
        genres do not tell which of a genre's many films a user saw.
    recency_half_life : float or None, default=3.0
        Age, in interactions, at which a history item counts half as much in
        the profile as the user's latest one; ``None`` weights every item alike.

    Attributes
    ----------
    encoder_ : FeatureEncoder
        Encoder fitted on the item table.
    item_vectors_ : ndarray of shape (item_count, feature_count), float32
        IDF-weighted unit item vectors; an item without features is all zero.
    popularity_prior_ : ndarray of shape (item_count,), float32
    history_offsets_, history_items_ : ndarray, int64
        Each fitted user's distinct items, ascending, are
        ``history_items_[history_offsets_[u]:history_offsets_[u + 1]]``.
    history_weights_ : ndarray, float32
        The recency weight of each entry of ``history_items_``.

    Notes
    -----
    The defaults were chosen on the validation item of the MovieLens-100K
    ``loo`` split (tuning phase) with genres and release dates as item
    metadata. A profile of recent items raised recall@10 there from 0.092
    (every item alike) to about 0.11.
    """

    name = "metadata"

    def __init__(
        self, popularity_weight: float = 0.6, recency_half_life: float | None = 3.0
    ):
        self.popularity_weight = popularity_weight
        self.recency_half_life = recency_half_life

        # Learned state.
        self.encoder_: FeatureEncoder | None = None
        self.item_vectors_: np.ndarray | None = None
        self.popularity_prior_: np.ndarray | None = None
        self.history_offsets_: np.ndarray | None = None
        self.history_items_: np.ndarray | None = None
        self.history_weights_: np.ndarray | None = None

    def check_params(self) -> None:
        check_fraction("popularity_weight", self.popularity_weight)
        check_half_life(self.recency_half_life)

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> MetadataScorer:
        """Encode the item metadata and count item popularity; ``seed`` is unused."""
        self.check_params()
        half_life = check_half_life(self.recency_half_life)

        self.encoder_ = FeatureEncoder("item_id").fit(
            data.item_features, skip=_SKIPPED_COLUMNS
        )
        features = self.encoder_.transform(data.item_features)
        if features.shape[1] == 0:
            _log.warning(
                "metadata: no usable item metadata columns, so scores are the "
                "popularity prior alone (add columns such as genres to the items table)"
            )
        self.item_vectors_ = _idf_unit_vectors(features)

        matrix = data.matrix()
        self.popularity_prior_ = _popularity_prior(matrix)
        (
            self.history_offsets_,
            self.history_items_,
            self.history_weights_,
        ) = recency_weights(data, half_life)
        progress = named_progress(progress, self.name)
        if progress is not None:
            progress(1, 1, "item profiles")
        _log.info(
            "metadata: encoded %d items into %d features (%s)",
            data.item_count,
            features.shape[1],
            ", ".join(e.column for e in self.encoder_.encodings_) or "none",
        )
        return self

    def score(
        self, users: np.ndarray, *, context: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Blend profile similarity and popularity.

        Returns an array of shape (len(users), item_count), float32.

        Each user is scored on its own, so a user's scores do not depend on
        which other users share the batch.
        """
        check_fitted(self, "item_vectors_")
        users = check_users(users, len(self.history_offsets_) - 1)
        weight = np.float32(self.popularity_weight)
        prior = weight * self.popularity_prior_
        scores = np.empty((len(users), len(self.item_vectors_)), dtype=np.float32)
        for row, user in enumerate(users):
            scores[row] = (1 - weight) * self._profile_similarity(user) + prior
        return scores

    def _profile_similarity(self, user: int) -> np.ndarray:
        """Cosine of every item vector with the user's weighted mean item vector."""
        entries = slice(self.history_offsets_[user], self.history_offsets_[user + 1])
        history = self.history_items_[entries]
        weights = self.history_weights_[entries].astype(np.float64)
        # The cosine ignores scale, so the weighted sum serves as the mean.
        profile = weights @ self.item_vectors_[history].astype(np.float64)
        norm = np.linalg.norm(profile)
        if norm == 0:
            return np.zeros(len(self.item_vectors_), dtype=np.float32)
        return self.item_vectors_ @ (profile / norm).astype(np.float32)

    def save(self, directory: Path) -> None:
        check_fitted(self, "item_vectors_")
        save_state(
            directory,
            self.name,
            self.get_params(),
            {
                "item_vectors": self.item_vectors_,
                "popularity_prior": self.popularity_prior_,
                "history_offsets": self.history_offsets_,
                "history_items": self.history_items_,
                "history_weights": self.history_weights_,
            },
            {"encoder": self.encoder_.to_json()},
        )

    @classmethod
    def load(cls, directory: Path) -> MetadataScorer:
        params, arrays, extra = load_state(directory, cls.name)
        scorer = cls(**params)
        scorer.encoder_ = FeatureEncoder.from_json(extra["encoder"])
        scorer.item_vectors_ = arrays["item_vectors"]
        scorer.popularity_prior_ = arrays["popularity_prior"]
        scorer.history_offsets_ = arrays["history_offsets"]
        scorer.history_items_ = arrays["history_items"]
        scorer.history_weights_ = arrays["history_weights"]
        return scorer


def _idf_unit_vectors(features: np.ndarray) -> np.ndarray:
    """Weight features by smoothed IDF and scale each row to unit length.

    The IDF of a feature on df of N items is ``log((1 + N) / (1 + df)) + 1``.
    """
    item_count = features.shape[0]
    document_frequency = features.sum(axis=0, dtype=np.float64)
    idf = np.log((1 + item_count) / (1 + document_frequency)) + 1
    vectors = features * idf
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return vectors.astype(np.float32)


def _popularity_prior(matrix: np.ndarray) -> np.ndarray:
    """Compute ``log(1 + n) / log(1 + max n)`` per item, n its distinct users.

    Without interactions every prior is 0.
    """
    counts = matrix.sum(axis=0, dtype=np.float64)
    top = counts.max(initial=0.0)
    if top == 0:
        return np.zeros(matrix.shape[1], dtype=np.float32)
    return (np.log1p(counts) / np.log1p(top)).astype(np.float32)
