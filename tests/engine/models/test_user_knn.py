"""Tests of the user-based neighbourhood model."""

import functools
import math

import numpy as np
import pytest
from behaviour import CHECKS, check_id

from engine.features import InteractionData
from engine.models._user_knn import UserKNNScorer


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_user_knn_behaviour(check, seed, tmp_path):
    check(UserKNNScorer, seed=seed, tmp_path=tmp_path)


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_user_knn_behaviour_two_neighbours(check, seed, tmp_path):
    check(
        functools.partial(UserKNNScorer, neighbour_count=2),
        seed=seed,
        tmp_path=tmp_path,
    )


def three_users() -> InteractionData:
    # Users: 1 has {A, B}, 2 has {A, B, C}, 3 has {A}; items A=10, B=20, C=30.
    return InteractionData.from_arrays(
        user_ids=[1, 2, 3],
        item_ids=[10, 20, 30],
        interaction_users=[1, 1, 2, 2, 2, 3],
        interaction_items=[10, 20, 10, 20, 30, 10],
        timestamps=[0, 1, 2, 3, 4, 5],
    )


COSINE_12 = 2 / math.sqrt(2 * 3)
COSINE_13 = 1 / math.sqrt(2 * 1)
COSINE_23 = 1 / math.sqrt(3 * 1)


def test_user_knn_cosine_values():
    scorer = UserKNNScorer().fit(three_users())

    neighbours = scorer.neighbours_
    similarities = scorer.similarities_

    np.testing.assert_array_equal(neighbours, [[1, 2], [0, 2], [0, 1]])
    np.testing.assert_allclose(
        similarities,
        [[COSINE_12, COSINE_13], [COSINE_12, COSINE_23], [COSINE_13, COSINE_23]],
        rtol=1e-6,
    )


def test_user_knn_scores_weight_neighbours():
    scorer = UserKNNScorer().fit(three_users())

    scores = scorer.score(np.array([2]))

    # User 3's neighbours: user 1 has A and B, user 2 has A, B and C.
    both = COSINE_13 + COSINE_23
    np.testing.assert_allclose(scores[0], [both, both, COSINE_23], rtol=1e-6)


def test_user_knn_shrinkage_value():
    scorer = UserKNNScorer(shrinkage=1.0).fit(three_users())

    similarity_12 = scorer.similarities_[0, 0]

    assert similarity_12 == pytest.approx(2 / (math.sqrt(6) + 1), rel=1e-6)


def test_user_knn_neighbour_count_caps_neighbours():
    scorer = UserKNNScorer(neighbour_count=1).fit(three_users())

    scores = scorer.score(np.array([2]))

    # User 3's one neighbour is user 1, who lacks C.
    np.testing.assert_array_equal(scorer.neighbours_, [[1], [0], [0]])
    np.testing.assert_allclose(scores[0], [COSINE_13, COSINE_13, 0.0], rtol=1e-6)


def test_user_knn_neighbour_count_above_users():
    scorer = UserKNNScorer(neighbour_count=100).fit(three_users())

    assert scorer.neighbours_.shape == (3, 2)


def test_user_knn_repeated_interactions_count_once():
    data = InteractionData.from_arrays(
        user_ids=[1, 2],
        item_ids=[10, 20],
        interaction_users=[1, 1, 1, 2],
        interaction_items=[10, 10, 20, 10],
        timestamps=[0, 1, 2, 3],
    )

    scores = UserKNNScorer().fit(data).score(np.array([1]))

    # Cosine of {10, 20} and {10} is 1/sqrt(2), whatever the repeats.
    np.testing.assert_allclose(scores[0], [1 / math.sqrt(2)] * 2, rtol=1e-6)


def test_user_knn_single_user():
    data = InteractionData.from_arrays(
        user_ids=[1],
        item_ids=[10, 20],
        interaction_users=[1],
        interaction_items=[10],
        timestamps=[0],
    )

    scores = UserKNNScorer().fit(data).score(np.array([0]))

    np.testing.assert_array_equal(scores, [[0.0, 0.0]])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"neighbour_count": 0}, "invalid neighbour_count: 0"),
        ({"neighbour_count": 50.0}, "invalid neighbour_count: 50.0"),
        ({"neighbour_count": None}, "invalid neighbour_count: None"),
        ({"shrinkage": -0.5}, "invalid shrinkage: -0.5"),
        ({"shrinkage": float("inf")}, "invalid shrinkage: inf"),
    ],
)
def test_user_knn_invalid_params(params, message):
    scorer = UserKNNScorer(**params)

    with pytest.raises(ValueError, match=message):
        scorer.fit(three_users())
