"""Tests of the item-based neighbourhood model."""

import functools
import math

import numpy as np
import pytest
from behaviour import CHECKS, check_id

from engine.features import InteractionData
from engine.models._item_knn import ItemKNNScorer


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_item_knn_behaviour(check, seed, tmp_path):
    check(ItemKNNScorer, seed=seed, tmp_path=tmp_path)


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_item_knn_behaviour_two_neighbours(check, seed, tmp_path):
    check(
        functools.partial(ItemKNNScorer, neighbour_count=2),
        seed=seed,
        tmp_path=tmp_path,
    )


def three_items() -> InteractionData:
    # Users: 1 has {A, B}, 2 has {A, B, C}, 3 has {A}; items A=10, B=20, C=30.
    # Users per item: A 3, B 2, C 1. Co-occurrences: AB 2, AC 1, BC 1.
    return InteractionData.from_arrays(
        user_ids=[1, 2, 3],
        item_ids=[10, 20, 30],
        interaction_users=[1, 1, 2, 2, 2, 3],
        interaction_items=[10, 20, 10, 20, 30, 10],
        timestamps=[0, 1, 2, 3, 4, 5],
    )


COSINE_AB = 2 / math.sqrt(3 * 2)
COSINE_AC = 1 / math.sqrt(3 * 1)
COSINE_BC = 1 / math.sqrt(2 * 1)


def test_item_knn_cosine_values():
    scorer = ItemKNNScorer(shrinkage=0.0).fit(three_items())

    neighbours = scorer.neighbours_
    similarities = scorer.similarities_

    np.testing.assert_array_equal(neighbours, [[1, 2], [0, 2], [1, 0]])
    np.testing.assert_allclose(
        similarities,
        [[COSINE_AB, COSINE_AC], [COSINE_AB, COSINE_BC], [COSINE_BC, COSINE_AC]],
        rtol=1e-6,
    )


def test_item_knn_scores_sum_similarities():
    scorer = ItemKNNScorer(shrinkage=0.0).fit(three_items())

    scores = scorer.score(np.array([2, 0]))

    # User 3 has only A; user 1 has A and B.
    np.testing.assert_allclose(scores[0], [0.0, COSINE_AB, COSINE_AC], rtol=1e-6)
    np.testing.assert_allclose(
        scores[1], [COSINE_AB, COSINE_AB, COSINE_AC + COSINE_BC], rtol=1e-6
    )


def test_item_knn_shrinkage_value():
    scorer = ItemKNNScorer(shrinkage=1.0).fit(three_items())

    similarity_ab = scorer.similarities_[0, 0]

    assert similarity_ab == pytest.approx(2 / (math.sqrt(6) + 1), rel=1e-6)


def test_item_knn_shrinkage_favours_frequent_items():
    # Item A=1 has users 1-4. Rare item R=2 has user 1 only: cosine 1/sqrt(4) = 0.5.
    # Frequent item F=3 has users 1, 2 and 5-9: cosine 2/sqrt(4 * 7) = 0.378.
    users = [1, 2, 3, 4, 1, 1, 2, 5, 6, 7, 8, 9]
    items = [1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3]
    data = InteractionData.from_arrays(
        user_ids=range(1, 10),
        item_ids=[1, 2, 3],
        interaction_users=users,
        interaction_items=items,
        timestamps=range(len(users)),
    )

    plain = ItemKNNScorer(neighbour_count=1, shrinkage=0.0).fit(data)
    shrunk = ItemKNNScorer(neighbour_count=1, shrinkage=10.0).fit(data)

    assert plain.neighbours_[0, 0] == 1
    assert shrunk.neighbours_[0, 0] == 2


def test_item_knn_neighbour_count_caps_neighbours():
    scorer = ItemKNNScorer(neighbour_count=1, shrinkage=0.0).fit(three_items())

    scores = scorer.score(np.array([2, 0]))

    # A's and C's nearest item is B, B's is A. The score of C sums over C's
    # neighbours, not over the neighbours of the user's items: user 3 (only A)
    # scores C 0, user 1 (A and B) scores it by B alone.
    np.testing.assert_array_equal(scorer.neighbours_, [[1], [0], [1]])
    np.testing.assert_allclose(scores[0], [0.0, COSINE_AB, 0.0], rtol=1e-6)
    np.testing.assert_allclose(scores[1], [COSINE_AB, COSINE_AB, COSINE_BC], rtol=1e-6)


def test_item_knn_neighbour_count_above_catalogue():
    scorer = ItemKNNScorer(neighbour_count=100).fit(three_items())

    assert scorer.neighbours_.shape == (3, 2)


def test_item_knn_ties_keep_lower_item():
    # Items 2, 3 and 4 all co-occur with item 1 in the same single user.
    data = InteractionData.from_arrays(
        user_ids=[1],
        item_ids=[1, 2, 3, 4],
        interaction_users=[1, 1, 1, 1],
        interaction_items=[1, 4, 3, 2],
        timestamps=[0, 1, 2, 3],
    )

    scorer = ItemKNNScorer(neighbour_count=2, shrinkage=0.0).fit(data)

    np.testing.assert_array_equal(scorer.neighbours_[0], [1, 2])


def test_item_knn_unseen_item_scores_zero():
    data = InteractionData.from_arrays(
        user_ids=[1, 2],
        item_ids=[10, 20, 30],
        interaction_users=[1, 1, 2],
        interaction_items=[10, 20, 10],
        timestamps=[0, 1, 2],
    )

    scores = ItemKNNScorer().fit(data).score(np.array([0, 1]))

    np.testing.assert_array_equal(scores[:, 2], [0.0, 0.0])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"neighbour_count": 0}, "invalid neighbour_count: 0"),
        ({"neighbour_count": -3}, "invalid neighbour_count: -3"),
        ({"neighbour_count": 2.5}, "invalid neighbour_count: 2.5"),
        ({"neighbour_count": True}, "invalid neighbour_count: True"),
        ({"shrinkage": -1.0}, "invalid shrinkage: -1.0"),
        ({"shrinkage": float("nan")}, "invalid shrinkage: nan"),
        ({"shrinkage": float("inf")}, "invalid shrinkage: inf"),
        ({"shrinkage": "5"}, "invalid shrinkage: '5'"),
    ],
)
def test_item_knn_invalid_params(params, message):
    scorer = ItemKNNScorer(**params)

    with pytest.raises(ValueError, match=message):
        scorer.fit(three_items())
