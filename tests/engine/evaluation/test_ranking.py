"""Full-catalogue ranking of a batch: tie-break, exclusion, -inf, NaN."""

from __future__ import annotations

import numpy as np
import pytest

from engine.evaluation._ranking import fitted_mask, rank_candidates
from engine.features import InteractionData


def _ranked(scores, excluded):
    return rank_candidates(
        np.asarray(scores, dtype=np.float32), np.asarray(excluded, dtype=bool)
    )


def test_rank_ties_lower_index_first():
    ranked = _ranked([[0.5, 0.9, 0.5, 0.9]], [[False] * 4])

    rows, ranks, items = ranked.top(4)

    assert items.tolist() == [1, 3, 0, 2]
    assert ranks.tolist() == [1, 2, 3, 4]
    assert rows.tolist() == [0, 0, 0, 0]


def test_rank_excluded_items_skipped():
    ranked = _ranked([[0.9, 0.8, 0.7]], [[True, False, False]])

    _, _, items = ranked.top(10)

    assert items.tolist() == [1, 2]
    assert ranked.ranks(np.array([0, 0]), np.array([0, 2])).tolist() == [-1, 2]


def test_rank_minus_inf_stays_candidate():
    ranked = _ranked([[-np.inf, 1.0, -np.inf, 2.0]], [[False, False, True, False]])

    _, _, items = ranked.top(10)

    assert items.tolist() == [3, 1, 0]


def test_rank_negative_zero_ties_zero():
    ranked = _ranked([[0.0, -0.0, 0.0]], [[False] * 3])

    _, _, items = ranked.top(3)

    assert items.tolist() == [0, 1, 2]


def test_rank_top_k_per_row():
    ranked = _ranked([[3, 2, 1], [1, 2, 3]], [[False] * 3, [False, False, True]])

    rows, ranks, items = ranked.top(2)

    assert rows.tolist() == [0, 0, 1, 1]
    assert ranks.tolist() == [1, 2, 1, 2]
    assert items.tolist() == [0, 1, 1, 0]


def test_rank_full_ranks_agree_with_order():
    generator = np.random.default_rng(7)
    scores = generator.integers(0, 4, size=(5, 50)).astype(np.float32)
    excluded = generator.random((5, 50)) < 0.2
    ranked = rank_candidates(scores, excluded)

    rows, ranks, items = ranked.top(50)

    assert ranked.ranks(rows, items).tolist() == ranks.tolist()
    for row in range(5):
        listed = items[rows == row]
        keys = sorted((-scores[row, j], j) for j in np.flatnonzero(~excluded[row]))
        assert listed.tolist() == [j for _, j in keys]


def test_rank_nan_rejected():
    with pytest.raises(ValueError, match="invalid scores: NaN found"):
        _ranked([[0.1, np.nan]], [[False, False]])


def test_fitted_mask_marks_history():
    data = InteractionData.from_arrays(
        user_ids=[1, 2, 3],
        item_ids=[10, 20, 30],
        interaction_users=[1, 1, 3],
        interaction_items=[30, 10, 20],
        timestamps=[0, 1, 2],
    )

    mask = fitted_mask(data, np.array([2, 0, 1]))

    assert mask.tolist() == [
        [False, True, False],
        [True, False, True],
        [False, False, False],
    ]
