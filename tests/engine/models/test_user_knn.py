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


@pytest.mark.parametrize(
    "params",
    [
        dict(similarity="jaccard", weighting="bm25", recency_half_life=None),
        dict(similarity="asymmetric_cosine", alpha=0.8, weighting="idf"),
        dict(similarity="cosine", recency_half_life=0.5),
    ],
    ids=["jaccard_bm25", "asymmetric_cosine_idf", "cosine_recent"],
)
@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_user_knn_behaviour_other_settings(check, params, seed, tmp_path):
    check(functools.partial(UserKNNScorer, **params), seed=seed, tmp_path=tmp_path)


def three_users() -> InteractionData:
    # Users: 1 has {A, B}, 2 has {A, B, C}, 3 has {A}; items A=10, B=20, C=30.
    return InteractionData.from_arrays(
        user_ids=[1, 2, 3],
        item_ids=[10, 20, 30],
        interaction_users=[1, 1, 2, 2, 2, 3],
        interaction_items=[10, 20, 10, 20, 30, 10],
        timestamps=[0, 1, 2, 3, 4, 5],
    )


# Plain cosine on the binary matrix, every item of the scored user counted alike.
PLAIN = dict(similarity="cosine", weighting="none", recency_half_life=None)

COSINE_12 = 2 / math.sqrt(2 * 3)
COSINE_13 = 1 / math.sqrt(2 * 1)
COSINE_23 = 1 / math.sqrt(3 * 1)


def test_user_knn_cosine_values():
    scorer = UserKNNScorer(**PLAIN).fit(three_users())

    neighbours = scorer.neighbours_
    similarities = scorer.similarities_

    np.testing.assert_array_equal(neighbours, [[1, 2], [0, 2], [0, 1]])
    np.testing.assert_allclose(
        similarities,
        [[COSINE_12, COSINE_13], [COSINE_12, COSINE_23], [COSINE_13, COSINE_23]],
        rtol=1e-6,
    )


def test_user_knn_scores_weight_neighbours():
    scorer = UserKNNScorer(**PLAIN).fit(three_users())

    scores = scorer.score(np.array([2]))

    # User 3's neighbours: user 1 has A and B, user 2 has A, B and C.
    both = COSINE_13 + COSINE_23
    np.testing.assert_allclose(scores[0], [both, both, COSINE_23], rtol=1e-6)


def test_user_knn_shrinkage_value():
    scorer = UserKNNScorer(**PLAIN, shrinkage=1.0).fit(three_users())

    similarity_12 = scorer.similarities_[0, 0]

    assert similarity_12 == pytest.approx(2 / (math.sqrt(6) + 1), rel=1e-6)


def test_user_knn_neighbour_count_caps_neighbours():
    scorer = UserKNNScorer(**PLAIN, neighbour_count=1).fit(three_users())

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

    scores = UserKNNScorer(**PLAIN).fit(data).score(np.array([1]))

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


def test_user_knn_recency_prefers_recent_overlap():
    # User 9 rated item 1 long ago and item 2 just now. User 1 shares item 1
    # and user 2 shares item 2; both have one more item (3 and 4).
    data = InteractionData.from_arrays(
        user_ids=[1, 2, 9],
        item_ids=[1, 2, 3, 4],
        interaction_users=[1, 1, 2, 2, 9, 9],
        interaction_items=[1, 3, 2, 4, 1, 2],
        timestamps=[0, 1, 2, 3, 4, 5],
    )

    recent = UserKNNScorer(recency_half_life=1.0).fit(data)
    alike = UserKNNScorer(recency_half_life=None).fit(data)

    assert recent.neighbours_[2, 0] == 1
    assert recent.similarities_[2, 0] > recent.similarities_[2, 1]
    assert alike.similarities_[2, 0] == alike.similarities_[2, 1]
    scores = recent.score(np.array([2]))[0]
    assert scores[3] > scores[2]


def test_user_knn_recency_similarity_value():
    # User 2 rated A, B, C; with a half-life of 1 its query is (1/4, 1/2, 1).
    scorer = UserKNNScorer(**dict(PLAIN, recency_half_life=1.0)).fit(three_users())

    similarity_to_1 = scorer.similarities_[1, 0]

    query_norm = math.sqrt(1 / 16 + 1 / 4 + 1)
    expected = (1 / 4 + 1 / 2) / (query_norm * math.sqrt(2))
    assert similarity_to_1 == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"neighbour_count": 0}, "invalid neighbour_count: 0"),
        ({"neighbour_count": 50.0}, "invalid neighbour_count: 50.0"),
        ({"neighbour_count": None}, "invalid neighbour_count: null"),
        ({"shrinkage": -0.5}, "invalid shrinkage: -0.5"),
        ({"shrinkage": float("inf")}, "invalid shrinkage: inf"),
        ({"similarity": "dice"}, "invalid similarity: 'dice'"),
        ({"alpha": -0.1}, "invalid alpha: -0.1"),
        ({"weighting": "BM25"}, "invalid weighting: 'BM25'"),
        ({"recency_half_life": "3"}, "invalid recency_half_life: '3'"),
    ],
)
def test_user_knn_invalid_params(params, message):
    scorer = UserKNNScorer(**params)

    with pytest.raises(ValueError, match=message):
        scorer.fit(three_users())
