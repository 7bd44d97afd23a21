"""Tests of the closed-form linear next-item model."""

import numpy as np
import pytest
from behaviour import CHECKS, check_id

from engine.features import InteractionData
from engine.models import MODELS, _sequence_linear, get_model
from engine.models._sequence_linear import SequenceLinearScorer


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_sequence_linear_behaviour(check, seed, tmp_path):
    check(SequenceLinearScorer, seed=seed, tmp_path=tmp_path)


def test_sequence_linear_registered():
    assert MODELS["sequence_linear"] is SequenceLinearScorer


def sequences_data(
    sequences: list[list[int]], item_ids=(10, 20, 30, 40)
) -> InteractionData:
    users, items = [], []
    for user, sequence in enumerate(sequences, start=1):
        users += [user] * len(sequence)
        items += sequence
    return InteractionData.from_arrays(
        user_ids=list(range(1, len(sequences) + 1)),
        item_ids=list(item_ids),
        interaction_users=users,
        interaction_items=items,
        timestamps=list(range(len(users))),
    )


def explicit_weights(
    sequences, item_ids, recent_length, decay, history_weight, penalty
):
    """Solve for the ridge weights from feature rows built one position at a time."""
    index = {item: i for i, item in enumerate(item_ids)}
    count = len(item_ids)
    rows, targets = [], []
    for sequence in sequences:
        for t in range(len(sequence) - 1):
            row = np.zeros(2 * count)
            for j in range(t + 1):
                age = t - j
                if age < recent_length:
                    row[index[sequence[j]]] += decay**age
                row[count + index[sequence[j]]] += history_weight / np.sqrt(t + 1)
            rows.append(row)
            target = np.zeros(count)
            target[index[sequence[t + 1]]] = 1.0
            targets.append(target)
    x, y = np.array(rows), np.array(targets)
    return np.linalg.solve(x.T @ x + penalty * np.eye(2 * count), x.T @ y)


@pytest.mark.parametrize(
    "sequences",
    [
        [[10, 20, 30], [20, 30, 40], [40, 10]],
        # Repeated items within one user take the slower, summing path.
        [[10, 20, 10, 30], [30, 30, 40]],
    ],
    ids=["distinct", "repeated"],
)
def test_sequence_linear_weights_match_explicit_rows(sequences):
    params = dict(
        recent_length=2, recency_decay=0.5, history_weight=1.5, regularization=0.1
    )
    scorer = SequenceLinearScorer(**params).fit(sequences_data(sequences))

    expected = explicit_weights(sequences, [10, 20, 30, 40], 2, 0.5, 1.5, 0.1)

    np.testing.assert_allclose(scorer.weights_, expected, rtol=1e-5, atol=1e-6)


def test_sequence_linear_scores_latest_position():
    sequences = [[10, 20, 30], [20, 30, 40], [40, 10]]
    scorer = SequenceLinearScorer(
        recent_length=2, recency_decay=0.5, history_weight=1.5, regularization=0.1
    ).fit(sequences_data(sequences))
    weights = explicit_weights(sequences, [10, 20, 30, 40], 2, 0.5, 1.5, 0.1)

    # User 1 (10, 20, 30): recent 30 at 1, 20 at 0.5, 10 past the window;
    # history 10, 20, 30 at 1.5 / sqrt(3).
    features = np.zeros(8)
    features[[2, 1]] = [1.0, 0.5]
    features[[4, 5, 6]] = 1.5 / np.sqrt(3)

    np.testing.assert_allclose(
        scorer.score(np.array([0]))[0], features @ weights, rtol=1e-5, atol=1e-6
    )


def test_sequence_linear_predicts_the_usual_follower():
    # Most users go 10 -> 20; one goes 10 -> 30.
    sequences = [[10, 20]] * 5 + [[10, 30], [40, 10]]
    scorer = SequenceLinearScorer(regularization=1.0).fit(sequences_data(sequences))

    scores = scorer.score(np.array([6]))[0]

    # User 7 rated 40 then 10; of the items it has not rated, 20 comes first.
    assert scores[1] > scores[2] + 0.2


def test_sequence_linear_ignores_order_across_users():
    # User 1 ends with 10 and user 2 starts with 20: no row links them.
    scorer = SequenceLinearScorer(history_weight=0.0, regularization=1.0).fit(
        sequences_data([[30, 10], [20, 40]])
    )

    assert scorer.weights_[0, 1] == 0.0


def test_sequence_linear_keeps_last_positions(monkeypatch):
    monkeypatch.setattr(_sequence_linear, "MAX_SEQUENCE", 2)
    scorer = SequenceLinearScorer().fit(sequences_data([[10, 20, 30], [40]]))

    np.testing.assert_array_equal(scorer.sequence_offsets_, [0, 2, 3])
    np.testing.assert_array_equal(scorer.sequence_items_, [1, 2, 3])


def test_sequence_linear_rejects_large_catalogue(monkeypatch):
    monkeypatch.setattr(SequenceLinearScorer, "max_items", 3)

    with pytest.raises(ValueError, match="4 items, expected at most 3") as error:
        SequenceLinearScorer().fit(sequences_data([[10, 20]]))
    assert "sequence_knn or two_tower" in str(error.value)


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"regularization": 0.0},
            "invalid regularization: 0.0, expected a positive number",
        ),
        ({"recency_decay": 1.5}, "invalid recency_decay: 1.5"),
        ({"recent_length": 0}, "invalid recent_length: 0"),
        ({"history_weight": -1.0}, "invalid history_weight: -1.0"),
    ],
)
def test_sequence_linear_rejects_bad_params(params, message):
    with pytest.raises(ValueError, match=message):
        get_model("sequence_linear", **params)
