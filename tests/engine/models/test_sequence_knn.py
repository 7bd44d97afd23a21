"""Tests of the sequence-aware item neighbourhood model."""

import functools
import math

import numpy as np
import pytest
from behaviour import CHECKS, check_id

from engine.features import InteractionData
from engine.models import MODELS
from engine.models._sequence_knn import SequenceKNNScorer, sequence_pair_counts


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_sequence_knn_behaviour(check, seed, tmp_path):
    check(SequenceKNNScorer, seed=seed, tmp_path=tmp_path)


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_sequence_knn_behaviour_undirected(check, seed, tmp_path):
    make_scorer = functools.partial(
        SequenceKNNScorer,
        neighbour_count=2,
        window=1,
        directed=False,
        recency_half_life=None,
    )
    check(make_scorer, seed=seed, tmp_path=tmp_path)


def test_sequence_knn_registered():
    assert MODELS["sequence_knn"] is SequenceKNNScorer


def chain() -> InteractionData:
    # User 1 rated A, B, C in order, user 2 rated B, C; items A=10, B=20, C=30.
    # Users per item: A 1, B 2, C 2.
    return InteractionData.from_arrays(
        user_ids=[1, 2],
        item_ids=[10, 20, 30],
        interaction_users=[1, 1, 1, 2, 2],
        interaction_items=[10, 20, 30, 20, 30],
        timestamps=[0, 1, 2, 3, 4],
    )


def test_sequence_pair_counts_values():
    counts = sequence_pair_counts(chain(), window=2, decay=0.5)

    # Gap 1: A->B, B->C (twice). Gap 2: A->C at weight 0.5. Nothing runs backwards.
    np.testing.assert_allclose(
        counts, [[0.0, 1.0, 0.5], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]]
    )


def test_sequence_pair_counts_window_one():
    counts = sequence_pair_counts(chain(), window=1, decay=0.5)

    assert counts[0, 2] == 0.0
    assert counts[1, 2] == 2.0


def test_sequence_pair_counts_stay_within_user():
    # User 1's last item (C) and user 2's first item (B) are adjacent rows.
    counts = sequence_pair_counts(chain(), window=1, decay=1.0)

    assert counts[2, 1] == 0.0


def test_sequence_pair_counts_repeated_items():
    data = InteractionData.from_arrays(
        user_ids=[1],
        item_ids=[10, 20],
        interaction_users=[1, 1, 1],
        interaction_items=[10, 10, 20],
        timestamps=[0, 1, 2],
    )

    counts = sequence_pair_counts(data, window=2, decay=1.0)

    np.testing.assert_allclose(counts, [[0.0, 2.0], [0.0, 0.0]])


def test_sequence_knn_similarity_values():
    scorer = SequenceKNNScorer(
        shrinkage=0.0, window=2, decay=0.5, recency_half_life=None
    ).fit(chain())

    # Row j lists j's history-item neighbours: C follows B (2 / sqrt(2 * 2))
    # and A (0.5 / sqrt(1 * 2)); B follows A (1 / sqrt(1 * 2)); nothing
    # precedes A.
    np.testing.assert_array_equal(scorer.neighbours_[2], [1, 0])
    np.testing.assert_allclose(
        scorer.similarities_[2], [1.0, 0.5 / math.sqrt(2)], rtol=1e-6
    )
    np.testing.assert_allclose(
        scorer.similarities_[1], [1 / math.sqrt(2), 0.0], rtol=1e-6
    )
    np.testing.assert_array_equal(scorer.similarities_[0], [0.0, 0.0])


def test_sequence_knn_direction_matters():
    directed = SequenceKNNScorer(shrinkage=0.0, recency_half_life=None).fit(chain())
    undirected = SequenceKNNScorer(
        shrinkage=0.0, directed=False, recency_half_life=None
    ).fit(chain())

    # User 2 has B and C: directed, nothing leads from them to A.
    directed_scores = directed.score(np.array([1]))[0]
    undirected_scores = undirected.score(np.array([1]))[0]

    assert directed_scores[0] == 0.0
    assert undirected_scores[0] > 0.0


def test_sequence_knn_scores_weight_recent_items():
    # Item 3 follows item 1 and item 4 follows item 2 for users 1 and 2.
    # User 9 rated 1 long ago and 2 just now, so 4 outranks 3.
    data = InteractionData.from_arrays(
        user_ids=[1, 2, 9],
        item_ids=[1, 2, 3, 4],
        interaction_users=[1, 1, 2, 2, 9, 9],
        interaction_items=[1, 3, 2, 4, 1, 2],
        timestamps=[0, 1, 2, 3, 4, 5],
    )

    recent = SequenceKNNScorer(recency_half_life=1.0).fit(data)
    alike = SequenceKNNScorer(recency_half_life=None).fit(data)

    assert recent.score(np.array([2]))[0, 3] > recent.score(np.array([2]))[0, 2]
    assert alike.score(np.array([2]))[0, 3] == alike.score(np.array([2]))[0, 2]


def test_sequence_knn_reports_progress():
    calls = []

    SequenceKNNScorer(window=2).fit(chain(), progress=lambda *c: calls.append(c))

    assert calls == [
        (1, 2, "sequence_knn sequence pairs"),
        (2, 2, "sequence_knn sequence pairs"),
    ]


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"neighbour_count": 0}, ValueError, "invalid neighbour_count: 0"),
        ({"shrinkage": -1.0}, ValueError, "invalid shrinkage: -1.0"),
        ({"window": 0}, ValueError, "invalid window: 0"),
        ({"window": 2.5}, ValueError, "invalid window: 2.5"),
        ({"decay": 1.5}, ValueError, "invalid decay: 1.5"),
        ({"directed": "yes"}, ValueError, "invalid directed: 'yes'"),
        ({"recency_half_life": 0}, ValueError, "invalid recency_half_life: 0"),
    ],
)
def test_sequence_knn_invalid_params(params, error, message):
    scorer = SequenceKNNScorer(**params)

    with pytest.raises(error, match=message):
        scorer.fit(chain())
