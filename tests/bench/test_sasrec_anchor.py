"""SASRec anchor: padded inputs, learning a fixed item order, seeding."""

from __future__ import annotations

import numpy as np
import torch
from _anchors import SASRecScorer
from _anchors._sasrec import padded_sequences
from bench_data import sequence_data

from engine.features import InteractionData

# Six users walk the cycle 1 -> 2 -> ... -> 6 -> 1 from different starts.
CYCLE = 6
CYCLE_SEQUENCES = {
    user: [(user + step) % CYCLE + 1 for step in range(10)] for user in range(1, 7)
}


def small_sasrec(**params) -> SASRecScorer:
    settings = dict(
        max_length=6,
        hidden_size=16,
        block_count=1,
        dropout=0.0,
        epochs=60,
        learning_rate=0.01,
        batch_size=3,
    )
    return SASRecScorer(**(settings | params))


def test_padded_sequences_left_pad_and_shift():
    data = sequence_data({1: [1, 2, 3], 2: [4, 5, 6, 7, 8]}, 8)

    sequences = padded_sequences(data, np.array([0, 1]), 4, drop_last=False)

    # Items are shifted by one so that 0 is padding; the most recent is last.
    assert sequences.tolist() == [[0, 1, 2, 3], [5, 6, 7, 8]]


def test_padded_sequences_drop_last():
    data = sequence_data({1: [1, 2, 3], 2: [4, 5, 6, 7, 8]}, 8)

    sequences = padded_sequences(data, np.array([0, 1]), 4, drop_last=True)

    assert sequences.tolist() == [[0, 0, 1, 2], [4, 5, 6, 7]]


def test_sasrec_learns_next_item(seed):
    data = sequence_data(CYCLE_SEQUENCES, CYCLE)

    scores = small_sasrec().fit(data, seed=seed).score(np.arange(data.user_count))

    last_items = np.array([CYCLE_SEQUENCES[user][-1] for user in data.user_ids])
    next_items = last_items % CYCLE + 1
    assert scores.argmax(axis=1).tolist() == (next_items - 1).tolist()


def test_sasrec_loss_falls(seed):
    data = sequence_data(CYCLE_SEQUENCES, CYCLE)

    scorer = small_sasrec(epochs=20).fit(data, seed=seed)

    assert len(scorer.losses_) == 20
    assert scorer.losses_[-1] < scorer.losses_[0] / 2


def test_sasrec_same_seed_same_scores(seed):
    data = sequence_data(CYCLE_SEQUENCES, CYCLE)
    users = np.arange(data.user_count)

    first = small_sasrec(epochs=3, dropout=0.5).fit(data, seed=seed).score(users)
    second = small_sasrec(epochs=3, dropout=0.5).fit(data, seed=seed).score(users)

    np.testing.assert_array_equal(first, second)


def test_sasrec_keeps_global_generator(seed):
    data = sequence_data(CYCLE_SEQUENCES, CYCLE)
    torch.manual_seed(seed)
    expected = torch.rand(3)
    torch.manual_seed(seed)

    small_sasrec(epochs=1).fit(data, seed=seed + 1)

    assert torch.equal(torch.rand(3), expected)


def test_sasrec_scores_user_without_items(seed):
    users = [user for user, items in CYCLE_SEQUENCES.items() for _ in items]
    items = [item for sequence in CYCLE_SEQUENCES.values() for item in sequence]
    data = InteractionData.from_arrays(
        user_ids=[*CYCLE_SEQUENCES, 99],
        item_ids=np.arange(1, CYCLE + 1),
        interaction_users=users,
        interaction_items=items,
        timestamps=np.arange(len(users)),
    )

    scorer = small_sasrec(epochs=1).fit(data, seed=seed)
    scores = scorer.score(data.user_index([99]))

    assert scores.shape == (1, CYCLE)
    assert np.isfinite(scores).all()
