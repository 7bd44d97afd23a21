"""Behaviour every scorer shares, written once and run against each model.

Each check takes ``make_scorer``, a callable that returns a new unfitted
scorer, plus the ``seed`` and ``tmp_path`` fixtures, and fails with an
``AssertionError`` naming what broke. A model's test module runs them all::

    @pytest.mark.parametrize("check", CHECKS, ids=check_id)
    def test_popular_behaviour(check, seed, tmp_path):
        check(PopularityScorer, seed=seed, tmp_path=tmp_path)

Checks that compare scores take ``rtol``; 0 (the default) demands identical
floats. A model whose batch kernels round differently can pass a small
tolerance with ``functools.partial(check, rtol=1e-6)``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from engine.errors import NotBuiltError
from engine.features import InteractionData
from engine.models import Scorer

ScorerFactory = Callable[[], Scorer]

# Checkerboard: users 1-6 interact with the even-position items, users 7-10
# with the odd ones, and user 1 lacks the last even item. User 99 has no
# interactions. Group sizes differ so that popularity also ranks the held-out
# item (5 users) above every odd item (4 users).
ITEM_IDS = np.arange(10, 110, 10)
EVEN_ITEMS = ITEM_IDS[0::2]
ODD_ITEMS = ITEM_IDS[1::2]
HELD_OUT_USER_ID = 1
HELD_OUT_ITEM_ID = int(EVEN_ITEMS[-1])
COLD_USER_ID = 99


def checkerboard_data() -> InteractionData:
    """Build two user groups with disjoint items and one held-out item.

    The held-out item is not the lowest unseen item id of user 1, so a scorer
    that returns equal scores fails the ranking check.
    """
    users, items = [], []
    for user in range(1, 11):
        group = EVEN_ITEMS if user <= 6 else ODD_ITEMS
        for item in group:
            if user == HELD_OUT_USER_ID and item == HELD_OUT_ITEM_ID:
                continue
            users.append(user)
            items.append(int(item))
    genres = [["even"] if item in EVEN_ITEMS else ["odd"] for item in ITEM_IDS]
    item_features = pa.table(
        {
            "item_id": pa.array(ITEM_IDS, pa.int64()),
            "title": [f"item {item}" for item in ITEM_IDS],
            "genres": pa.array(genres, pa.list_(pa.string())),
        }
    )
    return InteractionData.from_arrays(
        user_ids=np.arange(1, 11).tolist() + [COLD_USER_ID],
        item_ids=ITEM_IDS,
        interaction_users=users,
        interaction_items=items,
        timestamps=np.arange(len(users)),
        item_features=item_features,
    )


def assert_scores_equal(actual, expected, rtol: float, message: str) -> None:
    """Compare score arrays exactly when ``rtol`` is 0, else within ``rtol``."""
    if rtol == 0:
        np.testing.assert_array_equal(actual, expected, err_msg=message)
    else:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0, err_msg=message)


def check_held_out_item_first(make_scorer: ScorerFactory, *, seed: int, tmp_path: Path):
    """The held-out item ranks first among the items user 1 has not seen."""
    data = checkerboard_data()
    scorer = make_scorer().fit(data, seed=seed)
    user = int(data.user_index([HELD_OUT_USER_ID])[0])

    scores = scorer.score(np.array([user]))[0].astype(np.float64)
    scores[data.matrix()[user] > 0] = -np.inf
    # np.argmax takes the first maximum, which is the lower item id.
    top_item = int(data.item_ids[np.argmax(scores)])

    assert top_item == HELD_OUT_ITEM_ID, (
        f"ranked item {top_item} first, scores {scores}"
    )


def check_batch_matches_single(
    make_scorer: ScorerFactory, *, seed: int, tmp_path: Path, rtol: float = 0.0
):
    """Scoring users in one batch, one by one or shuffled gives the same rows."""
    data = checkerboard_data()
    scorer = make_scorer().fit(data, seed=seed)
    users = np.arange(data.user_count)
    shuffled = np.random.default_rng(seed).permutation(np.concatenate([users, users]))

    batch = scorer.score(users)
    single = np.concatenate([scorer.score(np.array([user])) for user in users])
    mixed = scorer.score(shuffled)

    assert_scores_equal(single, batch, rtol, "one-by-one scores differ from the batch")
    assert_scores_equal(mixed, batch[shuffled], rtol, "shuffled batch differs")


def check_score_shape_and_dtype(
    make_scorer: ScorerFactory, *, seed: int, tmp_path: Path
):
    """Scores are finite float32 of shape (len(users), item_count), also for 0 users."""
    data = checkerboard_data()
    scorer = make_scorer().fit(data, seed=seed)
    cold_user = int(data.user_index([COLD_USER_ID])[0])

    scores = scorer.score(np.array([0, cold_user, 0]))
    empty = scorer.score(np.array([], dtype=np.int64))

    assert scores.shape == (3, data.item_count)
    assert scores.dtype == np.float32
    assert np.isfinite(scores).all(), f"non-finite scores: {scores}"
    assert empty.shape == (0, data.item_count)
    assert empty.dtype == np.float32


def check_save_load_round_trip(
    make_scorer: ScorerFactory, *, seed: int, tmp_path: Path
):
    """A saved and reloaded scorer gives identical scores and parameters."""
    data = checkerboard_data()
    scorer = make_scorer().fit(data, seed=seed)
    users = np.arange(data.user_count)
    directory = tmp_path / "saved"

    scorer.save(directory)
    loaded = type(scorer).load(directory)

    assert type(loaded) is type(scorer)
    assert loaded.get_params() == scorer.get_params()
    np.testing.assert_array_equal(loaded.score(users), scorer.score(users))
    for path in directory.rglob("*.npy"):
        np.load(path, allow_pickle=False)


def check_refit_is_deterministic(
    make_scorer: ScorerFactory, *, seed: int, tmp_path: Path, rtol: float = 0.0
):
    """Two fits with one seed, on new or reused scorers, give the same scores."""
    data = checkerboard_data()
    users = np.arange(data.user_count)
    first = make_scorer().fit(data, seed=seed)
    first_scores = first.score(users)

    second_scores = make_scorer().fit(data, seed=seed).score(users)
    refit_scores = first.fit(data, seed=seed).score(users)

    assert_scores_equal(second_scores, first_scores, rtol, "a second scorer differs")
    assert_scores_equal(
        refit_scores, first_scores, rtol, "refitting one scorer differs"
    )


def check_params_are_json(make_scorer: ScorerFactory, *, seed: int, tmp_path: Path):
    """``get_params`` survives a JSON round trip, as result tables store it."""
    scorer = make_scorer()

    params = scorer.get_params()

    assert json.loads(json.dumps(params)) == params
    assert isinstance(scorer.name, str) and scorer.name


def check_invalid_users_rejected(
    make_scorer: ScorerFactory, *, seed: int, tmp_path: Path
):
    """Out-of-range indices raise ValueError and non-integer indices TypeError."""
    data = checkerboard_data()
    scorer = make_scorer().fit(data, seed=seed)

    with pytest.raises(ValueError, match=str(data.user_count)):
        scorer.score(np.array([0, data.user_count]))
    with pytest.raises(ValueError, match="-1"):
        scorer.score(np.array([-1]))
    with pytest.raises(TypeError, match="float"):
        scorer.score(np.array([0.0]))


def check_score_before_fit_raises(
    make_scorer: ScorerFactory, *, seed: int, tmp_path: Path
):
    """Scoring or saving an unfitted scorer raises NotBuiltError."""
    scorer = make_scorer()

    with pytest.raises(NotBuiltError, match="not fitted"):
        scorer.score(np.array([0]))
    with pytest.raises(NotBuiltError, match="not fitted"):
        scorer.save(tmp_path / "unfitted")


def check_id(check: Callable) -> str:
    """Test id of a check, also for a ``functools.partial`` of one."""
    if isinstance(check, functools.partial):
        check = check.func
    return check.__name__.removeprefix("check_")


CHECKS = (
    check_held_out_item_first,
    check_batch_matches_single,
    check_score_shape_and_dtype,
    check_save_load_round_trip,
    check_refit_is_deterministic,
    check_params_are_json,
    check_invalid_users_rejected,
    check_score_before_fit_raises,
)
