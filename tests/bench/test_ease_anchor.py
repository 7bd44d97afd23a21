"""EASE and most-popular anchors: the closed form against a direct solve."""

from __future__ import annotations

import numpy as np
import pytest
from _anchors import EASEScorer, MostPopularScorer, ease_weights
from bench_data import sequence_data


def random_binary(seed: int, shape=(30, 8), density=0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random(shape) < density).astype(np.float32)


def test_ease_weights_match_column_ridge(seed):
    matrix = random_binary(seed).astype(np.float64)
    l2 = 3.0

    weights = ease_weights(matrix, l2)

    # With diag(B) = 0 the objective splits by column: column j is the ridge
    # regression of item j on every other item.
    for j in range(matrix.shape[1]):
        others = np.delete(np.arange(matrix.shape[1]), j)
        features = matrix[:, others]
        gram = features.T @ features + l2 * np.eye(len(others))
        expected = np.linalg.solve(gram, features.T @ matrix[:, j])
        np.testing.assert_allclose(weights[others, j], expected, rtol=1e-9, atol=1e-12)


def test_ease_weights_zero_diagonal(seed):
    weights = ease_weights(random_binary(seed), 10.0)

    assert np.all(np.diag(weights) == 0.0)


def test_ease_item_without_users_scores_zero(seed):
    matrix = random_binary(seed)
    matrix[:, 3] = 0.0

    weights = ease_weights(matrix, 10.0)

    np.testing.assert_allclose(weights[:, 3], 0.0, atol=1e-12)
    np.testing.assert_allclose(weights[3, :], 0.0, atol=1e-12)


def test_ease_scorer_scores_history_times_weights(seed):
    data = sequence_data({1: [1, 2, 3], 2: [2, 3], 3: [1, 4], 4: [3, 4, 5]}, 6)
    matrix = data.matrix()

    scores = EASEScorer(l2=2.0).fit(data, seed=seed).score(np.arange(4))

    expected = matrix @ ease_weights(matrix, 2.0).astype(np.float32)
    np.testing.assert_allclose(scores, expected, rtol=1e-6)
    assert scores.shape == (4, 6)


def test_ease_scorer_rejects_zero_l2(seed):
    data = sequence_data({1: [1, 2]}, 3)

    with pytest.raises(ValueError, match="invalid l2"):
        EASEScorer(l2=0.0).fit(data, seed=seed)


def test_most_popular_counts_distinct_users(seed):
    data = sequence_data({1: [1, 2, 2], 2: [2, 3], 3: [2]}, 4)

    scores = MostPopularScorer().fit(data, seed=seed).score(np.array([0, 2]))

    assert scores.tolist() == [[1.0, 3.0, 1.0, 0.0], [1.0, 3.0, 1.0, 0.0]]
