"""Recency-weighted item-kNN anchor: similarities, recency weights and ranking."""

from __future__ import annotations

import numpy as np
import pytest
from _anchors import RecencyItemKNNScorer, item_similarities, recency_weights
from bench_data import sequence_data

# Users x items: item 0 has 3 users, item 1 has 2, item 2 has 1, item 3 none.
MATRIX = np.array(
    [
        [1, 1, 0, 0],
        [1, 1, 1, 0],
        [1, 0, 0, 0],
    ],
    dtype=np.float32,
)


def test_similarities_half_exponent_is_cosine():
    similarities = item_similarities(MATRIX, shrinkage=0.0, popularity_exponent=0.5)

    # Items 0 and 1 share 2 users, with 3 and 2 users: 2 / sqrt(6).
    assert similarities[0, 1] == pytest.approx(2 / np.sqrt(6), rel=1e-6)
    assert similarities[1, 0] == pytest.approx(2 / np.sqrt(6), rel=1e-6)


def test_similarities_exponent_divides_by_scored_item():
    similarities = item_similarities(MATRIX, shrinkage=1.0, popularity_exponent=0.7)

    # From item 0 (3 users) to item 1 (2 users), shared by 2 users.
    expected = 2 / (3**0.3 * 2**0.7 + 1.0)
    assert similarities[0, 1] == pytest.approx(expected, rel=1e-6)
    reverse = 2 / (2**0.3 * 3**0.7 + 1.0)
    assert similarities[1, 0] == pytest.approx(reverse, rel=1e-6)


def test_similarities_zero_diagonal_and_empty_item():
    similarities = item_similarities(MATRIX, shrinkage=0.0, popularity_exponent=0.5)

    assert np.all(np.diag(similarities) == 0.0)
    assert np.all(similarities[3] == 0.0)
    assert np.all(similarities[:, 3] == 0.0)


def test_recency_weights_decay_from_last_item():
    data = sequence_data({1: [1, 2, 3, 4, 5]}, 6)

    weights = recency_weights(data, np.array([0]), history_length=3, decay=0.5)

    assert weights[0].tolist() == [0.0, 0.0, 0.25, 0.5, 1.0, 0.0]


def test_recency_weights_repeat_keeps_larger():
    data = sequence_data({1: [2, 1, 2]}, 3)

    weights = recency_weights(data, np.array([0]), history_length=3, decay=0.5)

    assert weights[0].tolist() == [0.5, 1.0, 0.0]


def test_recency_weights_short_history():
    data = sequence_data({1: [3], 2: [1, 2]}, 3)

    weights = recency_weights(data, np.array([0, 1]), history_length=4, decay=0.5)

    assert weights.tolist() == [[0.0, 0.0, 1.0], [0.5, 1.0, 0.0]]


def test_recency_scorer_follows_last_item(seed):
    # Items 1 and 2 go together, as do 3 and 4. User 5 has 1 then 3, user 6 the
    # same items the other way round.
    sequences = {1: [1, 2], 2: [1, 2], 3: [3, 4], 4: [3, 4], 5: [1, 3], 6: [3, 1]}
    data = sequence_data(sequences, 4)
    scorer = RecencyItemKNNScorer(history_length=1, decay=0.5, shrinkage=0.0)

    scores = scorer.fit(data, seed=seed).score(data.user_index([5, 6]))

    # Item index 3 is item 4, the partner of user 5's last item 3.
    assert scores[0, 3] > scores[0, 1]
    assert scores[1, 1] > scores[1, 3]


def test_recency_scorer_rejects_decay_above_one(seed):
    data = sequence_data({1: [1, 2]}, 2)

    with pytest.raises(ValueError, match="invalid decay"):
        RecencyItemKNNScorer(decay=1.5).fit(data, seed=seed)
