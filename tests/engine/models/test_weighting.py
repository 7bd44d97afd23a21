"""Tests of the interaction weightings and the recency weights of user histories."""

import math

import numpy as np
import pytest

from engine.features import InteractionData
from engine.models._weighting import (
    recency_matrix,
    recency_weights,
    weight_interactions,
)

# Users: 0 has items 0 and 1, 1 has item 0, 2 has nothing. Item users: 2, 1, 0.
MATRIX = np.array([[1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=np.float32)
IDF = [math.log(4 / 3) + 1, math.log(4 / 2) + 1, math.log(4 / 1) + 1]


def test_weighting_none_copies_matrix():
    weighted = weight_interactions(MATRIX, "none")

    np.testing.assert_array_equal(weighted, MATRIX)
    assert weighted.dtype == np.float64


def test_weighting_idf_values():
    weighted = weight_interactions(MATRIX, "idf")

    np.testing.assert_allclose(weighted, MATRIX * np.array(IDF)[None, :], rtol=1e-12)


def test_weighting_bm25_values():
    weighted = weight_interactions(MATRIX, "bm25")

    # Mean item count is 1; user 0 has 2 items, user 1 has 1.
    length = np.array([1 - 0.75 + 0.75 * 2, 1 - 0.75 + 0.75 * 1, 1 - 0.75])
    row_weight = 2.2 / (1.2 * length + 1)
    expected = MATRIX * np.array(IDF)[None, :] * row_weight[:, None]
    np.testing.assert_allclose(weighted, expected, rtol=1e-12)


def test_weighting_bm25_lowers_heavy_users():
    weighted = weight_interactions(MATRIX, "bm25")

    assert weighted[0, 0] < weighted[1, 0]


def test_weighting_empty_matrix():
    weighted = weight_interactions(np.zeros((2, 3), dtype=np.float32), "bm25")

    np.testing.assert_array_equal(weighted, np.zeros((2, 3)))


def test_weighting_invalid_name():
    with pytest.raises(ValueError, match="invalid weighting: 'tfidf'"):
        weight_interactions(MATRIX, "tfidf")


def sequences() -> InteractionData:
    # User 1 rated items 30, 10, 20, 10 in that order; user 2 rated nothing.
    return InteractionData.from_arrays(
        user_ids=[1, 2],
        item_ids=[10, 20, 30],
        interaction_users=[1, 1, 1, 1],
        interaction_items=[30, 10, 20, 10],
        timestamps=[0, 1, 2, 3],
    )


def test_recency_weights_halve_per_half_life():
    offsets, items, weights = recency_weights(sequences(), 2.0)

    # Ages after the last interaction with each item: 10 -> 0, 20 -> 1, 30 -> 3.
    np.testing.assert_array_equal(offsets, [0, 3, 3])
    np.testing.assert_array_equal(items, [0, 1, 2])
    np.testing.assert_allclose(weights, [1.0, 0.5**0.5, 0.5**1.5], rtol=1e-6)


def test_recency_weights_none_are_ones():
    offsets, items, weights = recency_weights(sequences(), None)

    np.testing.assert_array_equal(items, [0, 1, 2])
    np.testing.assert_array_equal(weights, [1.0, 1.0, 1.0])


def test_recency_matrix_dense():
    matrix = recency_matrix(sequences(), 1.0)

    np.testing.assert_allclose(matrix, [[1.0, 0.5, 0.125], [0.0, 0.0, 0.0]])


@pytest.mark.parametrize("half_life", [0, -1.0, float("nan"), "7", True])
def test_recency_weights_invalid_half_life(half_life):
    with pytest.raises(ValueError, match="invalid recency_half_life"):
        recency_weights(sequences(), half_life)
