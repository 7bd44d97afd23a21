"""Tests of the most-popular baseline."""

import doctest

import numpy as np
import pytest
from behaviour import CHECKS, check_id

from engine.features import InteractionData
from engine.models import _popular
from engine.models._popular import PopularityScorer


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_popular_behaviour(check, seed, tmp_path):
    check(PopularityScorer, seed=seed, tmp_path=tmp_path)


def tiny_data() -> InteractionData:
    # User 1 interacts with item 10 twice; item 30 has no interactions.
    return InteractionData.from_arrays(
        user_ids=[1, 2, 3],
        item_ids=[10, 20, 30],
        interaction_users=[1, 1, 1, 2, 3],
        interaction_items=[10, 10, 20, 20, 20],
        timestamps=[0, 1, 2, 3, 4],
    )


def test_popular_counts_distinct_users():
    scorer = PopularityScorer().fit(tiny_data())

    scores = scorer.score(np.array([0]))

    np.testing.assert_array_equal(scores, [[1.0, 3.0, 0.0]])


def test_popular_same_list_for_everyone():
    scorer = PopularityScorer().fit(tiny_data())

    scores = scorer.score(np.array([0, 1, 2]))

    np.testing.assert_array_equal(scores[1], scores[0])
    np.testing.assert_array_equal(scores[2], scores[0])


def test_popular_rows_are_independent_copies():
    scorer = PopularityScorer().fit(tiny_data())
    scores = scorer.score(np.array([0, 1]))

    scores[0, 0] = -1.0

    assert scores[1, 0] == 1.0
    assert scorer.score(np.array([0]))[0, 0] == 1.0


def test_popular_no_users_rejects_index():
    data = InteractionData.from_arrays(
        user_ids=[],
        item_ids=[10],
        interaction_users=[],
        interaction_items=[],
        timestamps=[],
    )
    scorer = PopularityScorer().fit(data)

    with pytest.raises(ValueError, match="fitted on no users"):
        scorer.score(np.array([0]))


def test_popular_docstring_examples():
    result = doctest.testmod(_popular)

    assert result.attempted > 0
    assert result.failed == 0
