"""Tests of the chunks that sequence training of the two towers reads."""

import numpy as np

from engine.export import utc_context
from engine.export._inputs import UNKNOWN_HOUR, UNKNOWN_SINCE_LAST, UNKNOWN_WEEKDAY
from engine.features import InteractionData
from engine.training._sequences import sequence_chunks
from engine.training._two_tower import training_rows

# 2026-12-04 00:00 UTC, a Friday.
START = 1796342400


def sequences_data() -> InteractionData:
    """User 1 has five items, user 2 one item, user 3 none (item ids 10 to 60)."""
    users = [1, 1, 1, 1, 1, 2]
    items = [10, 20, 30, 40, 50, 60]
    return InteractionData.from_arrays(
        user_ids=[1, 2, 3],
        item_ids=[10, 20, 30, 40, 50, 60],
        interaction_users=users,
        interaction_items=items,
        timestamps=START + np.arange(len(users)) * 3600,
    )


def test_chunks_end_at_the_last_item():
    chunks = sequence_chunks(sequences_data(), 3)

    # User 1 has targets 30, 40, 50 in one chunk, then 10, 20 right-aligned.
    # User 2 has its one item with an empty history, and user 3 no chunk.
    np.testing.assert_array_equal(chunks.users, [0, 0, 1])
    np.testing.assert_array_equal(
        chunks.targets, [[2, 3, 4], [-1, 0, 1], [-1, -1, 5]]
    )
    # Inputs are item indices (position + 1) of the item before each target.
    np.testing.assert_array_equal(chunks.inputs, [[2, 3, 4], [0, 0, 1], [0, 0, 0]])


def test_chunks_carry_target_context():
    data = sequences_data()
    chunks = sequence_chunks(data, 3)
    hours, weekdays = utc_context(data.timestamps)

    assert chunks.hours[0].tolist() == hours[2:5].tolist()
    assert chunks.weekdays[0].tolist() == weekdays[2:5].tolist()
    assert chunks.hours[1, 0] == UNKNOWN_HOUR
    assert chunks.weekdays[2, :2].tolist() == [UNKNOWN_WEEKDAY] * 2


def test_chunks_carry_time_since_previous_item():
    # User 1 rates its five items 0 s, 1 s, 2 s and 1 hour apart.
    data = InteractionData.from_arrays(
        user_ids=[1, 2],
        item_ids=[10, 20, 30, 40, 50, 60],
        interaction_users=[1, 1, 1, 1, 1, 2],
        interaction_items=[10, 20, 30, 40, 50, 60],
        timestamps=START + np.array([0, 0, 1, 3, 3603, 0]),
    )

    chunks = sequence_chunks(data, 3)
    rows = training_rows(data)

    # Targets 30, 40, 50 follow their previous item by 1 s, 2 s and 3600 s.
    assert chunks.since_last[0].tolist() == [1, 2, 12]
    # Target 10 has no previous item, and target 20 came in the same second.
    assert chunks.since_last[1].tolist() == [UNKNOWN_SINCE_LAST, UNKNOWN_SINCE_LAST, 0]
    assert chunks.since_last[2].tolist() == [UNKNOWN_SINCE_LAST] * 3
    assert rows.since_last.tolist() == [
        UNKNOWN_SINCE_LAST, 0, 1, 2, 12, UNKNOWN_SINCE_LAST
    ]


def test_chunks_cover_every_interaction_once():
    data = sequences_data()

    for length in (1, 2, 4, 10):
        chunks = sequence_chunks(data, length)
        targets = chunks.targets[chunks.targets >= 0]
        assert sorted(targets.tolist()) == list(range(data.interaction_count))
