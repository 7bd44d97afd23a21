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


@pytest.mark.parametrize(
    "params",
    [
        dict(similarity="cosine", weighting="idf", recency_half_life=None),
        dict(similarity="asymmetric_cosine", alpha=0.2, weighting="none"),
        dict(similarity="jaccard", weighting="bm25", recency_half_life=0.5),
    ],
    ids=["cosine_idf", "asymmetric_cosine", "jaccard_bm25_recent"],
)
@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_item_knn_behaviour_other_settings(check, params, seed, tmp_path):
    check(functools.partial(ItemKNNScorer, **params), seed=seed, tmp_path=tmp_path)


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


# Plain shrunk cosine on the binary matrix, every history item counted alike.
PLAIN = dict(similarity="cosine", weighting="none", recency_half_life=None)

COSINE_AB = 2 / math.sqrt(3 * 2)
COSINE_AC = 1 / math.sqrt(3 * 1)
COSINE_BC = 1 / math.sqrt(2 * 1)


def test_item_knn_cosine_values():
    scorer = ItemKNNScorer(**PLAIN, shrinkage=0.0).fit(three_items())

    neighbours = scorer.neighbours_
    similarities = scorer.similarities_

    np.testing.assert_array_equal(neighbours, [[1, 2], [0, 2], [1, 0]])
    np.testing.assert_allclose(
        similarities,
        [[COSINE_AB, COSINE_AC], [COSINE_AB, COSINE_BC], [COSINE_BC, COSINE_AC]],
        rtol=1e-6,
    )


def test_item_knn_scores_sum_similarities():
    scorer = ItemKNNScorer(**PLAIN, shrinkage=0.0).fit(three_items())

    scores = scorer.score(np.array([2, 0]))

    # User 3 has only A; user 1 has A and B.
    np.testing.assert_allclose(scores[0], [0.0, COSINE_AB, COSINE_AC], rtol=1e-6)
    np.testing.assert_allclose(
        scores[1], [COSINE_AB, COSINE_AB, COSINE_AC + COSINE_BC], rtol=1e-6
    )


def test_item_knn_shrinkage_value():
    scorer = ItemKNNScorer(**PLAIN, shrinkage=1.0).fit(three_items())

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

    plain = ItemKNNScorer(**PLAIN, neighbour_count=1, shrinkage=0.0).fit(data)
    shrunk = ItemKNNScorer(**PLAIN, neighbour_count=1, shrinkage=10.0).fit(data)

    assert plain.neighbours_[0, 0] == 1
    assert shrunk.neighbours_[0, 0] == 2


def test_item_knn_neighbour_count_caps_neighbours():
    scorer = ItemKNNScorer(**PLAIN, neighbour_count=1, shrinkage=0.0).fit(three_items())

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

    scorer = ItemKNNScorer(**PLAIN, neighbour_count=2, shrinkage=0.0).fit(data)

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


def test_item_knn_recency_weights_history():
    # User 2 rated A, then B, then C. With a half-life of 1 interaction A
    # counts 1/4, B 1/2 and C 1.
    scorer = ItemKNNScorer(**dict(PLAIN, recency_half_life=1.0), shrinkage=0.0)

    scores = scorer.fit(three_items()).score(np.array([1]))

    np.testing.assert_allclose(
        scores[0],
        [
            0.5 * COSINE_AB + COSINE_AC,
            0.25 * COSINE_AB + COSINE_BC,
            0.25 * COSINE_AC + 0.5 * COSINE_BC,
        ],
        rtol=1e-6,
    )


def test_item_knn_recent_item_wins():
    # Items 1 and 2 are each liked with one other item: 1 with 3, 2 with 4.
    # User 9 rated 1 long ago and 2 just now, so 4 outranks 3.
    data = InteractionData.from_arrays(
        user_ids=[1, 2, 9],
        item_ids=[1, 2, 3, 4],
        interaction_users=[1, 1, 2, 2, 9, 9],
        interaction_items=[1, 3, 2, 4, 1, 2],
        timestamps=[0, 1, 2, 3, 4, 5],
    )

    recent = ItemKNNScorer(recency_half_life=1.0).fit(data).score(np.array([2]))[0]
    alike = ItemKNNScorer(recency_half_life=None).fit(data).score(np.array([2]))[0]

    assert recent[3] > recent[2]
    assert alike[3] == alike[2]


def test_item_knn_similarity_choices_differ():
    data = three_items()

    cosine = ItemKNNScorer(**PLAIN, shrinkage=0.0).fit(data)
    jaccard_params = dict(PLAIN, similarity="jaccard")
    jaccard = ItemKNNScorer(**jaccard_params, shrinkage=0.0).fit(data)

    # Jaccard of A (3 users) and B (2 users, both also A's) is 2 / 3.
    assert jaccard.similarities_[0, 0] == pytest.approx(2 / 3, rel=1e-6)
    assert cosine.similarities_[0, 0] == pytest.approx(COSINE_AB, rel=1e-6)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"neighbour_count": 0}, "invalid neighbour_count: 0"),
        ({"neighbour_count": -3}, "invalid neighbour_count: -3"),
        ({"neighbour_count": 2.5}, "invalid neighbour_count: 2.5"),
        ({"neighbour_count": True}, "invalid neighbour_count: true"),
        ({"shrinkage": -1.0}, "invalid shrinkage: -1.0"),
        ({"shrinkage": float("nan")}, "invalid shrinkage: nan"),
        ({"shrinkage": float("inf")}, "invalid shrinkage: inf"),
        ({"shrinkage": "5"}, "invalid shrinkage: '5'"),
        ({"similarity": "pearson"}, "invalid similarity: 'pearson'"),
        ({"alpha": 1.5}, "invalid alpha: 1.5"),
        ({"weighting": "tfidf"}, "invalid weighting: 'tfidf'"),
        ({"recency_half_life": 0}, "invalid recency_half_life: 0"),
        ({"recency_half_life": -2.0}, "invalid recency_half_life: -2.0"),
    ],
)
def test_item_knn_invalid_params(params, message):
    scorer = ItemKNNScorer(**params)

    with pytest.raises(ValueError, match=message):
        scorer.fit(three_items())


def test_item_knn_progress_names_model():
    calls = []

    ItemKNNScorer().fit(three_items(), progress=lambda *call: calls.append(call))

    assert calls[-1] == (3, 3, "item_knn jaccard neighbours")
