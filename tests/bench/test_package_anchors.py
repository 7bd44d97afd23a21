"""Anchors wrapping implicit and LightFM; skipped where those packages are missing."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from engine.features import InteractionData

# Users 1-6 share items 1-4 and users 7-10 share items 5-8, except that user 1
# lacks item 4; user 1's best unseen item is therefore 4.
GROUP_A, GROUP_B = [1, 2, 3, 4], [5, 6, 7, 8]
HELD_OUT_INDEX = 3


def two_group_data() -> InteractionData:
    users, items = [], []
    for user in range(1, 11):
        for item in GROUP_A if user <= 6 else GROUP_B:
            if (user, item) != (1, 4):
                users.append(user)
                items.append(item)
    genres = [["a"] if item in GROUP_A else ["b", "c"] for item in range(1, 10)]
    return InteractionData.from_arrays(
        user_ids=range(1, 11),
        item_ids=np.arange(1, 10),
        interaction_users=users,
        interaction_items=items,
        timestamps=np.arange(len(users)),
        item_features=pa.table(
            {"item_id": np.arange(1, 10), "genres": pa.array(genres)}
        ),
    )


def best_unseen(scorer, data: InteractionData, user_id: int) -> int:
    user = data.user_index([user_id])[0]
    scores = scorer.score(np.array([user]))[0].astype(np.float64)
    scores[data.matrix()[user] > 0] = -np.inf
    return int(np.argmax(scores))


def test_implicit_als_ranks_held_out_first(seed):
    pytest.importorskip("implicit")
    from _anchors import ImplicitALSScorer

    data = two_group_data()
    scorer = ImplicitALSScorer(embedding_size=4, regularization=0.01).fit(
        data, seed=seed
    )

    assert best_unseen(scorer, data, 1) == HELD_OUT_INDEX


def test_implicit_als_same_seed_same_scores(seed):
    pytest.importorskip("implicit")
    from _anchors import ImplicitALSScorer

    data = two_group_data()
    users = np.arange(data.user_count)

    first = ImplicitALSScorer(embedding_size=4).fit(data, seed=seed).score(users)
    second = ImplicitALSScorer(embedding_size=4).fit(data, seed=seed).score(users)

    np.testing.assert_array_equal(first, second)


def test_implicit_bpr_scores_shape(seed):
    pytest.importorskip("implicit")
    from _anchors import ImplicitBPRScorer

    data = two_group_data()
    scorer = ImplicitBPRScorer(embedding_size=4, epochs=5).fit(data, seed=seed)

    scores = scorer.score(np.arange(data.user_count))

    assert scores.shape == (data.user_count, data.item_count)
    assert scores.dtype == np.float32


def test_implicit_bpr_same_seed_same_scores(seed):
    pytest.importorskip("implicit")
    from _anchors import ImplicitBPRScorer

    data = two_group_data()
    users = np.arange(data.user_count)

    first = ImplicitBPRScorer(embedding_size=4, epochs=5).fit(data, seed=seed)
    second = ImplicitBPRScorer(embedding_size=4, epochs=5).fit(data, seed=seed)

    np.testing.assert_array_equal(first.score(users), second.score(users))


def test_implicit_cosine_ranks_held_out_first(seed):
    pytest.importorskip("implicit")
    from _anchors import ImplicitCosineScorer

    data = two_group_data()
    scorer = ImplicitCosineScorer(neighbour_count=3).fit(data, seed=seed)

    assert best_unseen(scorer, data, 1) == HELD_OUT_INDEX


def test_genre_features_identity_plus_genres():
    pytest.importorskip("scipy")
    from _anchors._lightfm import genre_features

    features = genre_features(two_group_data()).toarray()

    # 9 identity columns, then genres a, b, c; each row sums to 1.
    assert features.shape == (9, 12)
    np.testing.assert_allclose(features.sum(axis=1), 1.0, rtol=1e-6)
    assert features[0].tolist() == pytest.approx([0.5] + [0.0] * 8 + [0.5, 0.0, 0.0])
    third = 1.0 / 3.0
    assert features[4, [4, 10, 11]] == pytest.approx([third, third, third])


def test_lightfm_ranks_held_out_first(seed):
    pytest.importorskip("lightfm")
    from _anchors import LightFMScorer

    data = two_group_data()
    scorer = LightFMScorer(embedding_size=4, epochs=30, use_genres=True)

    scorer.fit(data, seed=seed)

    assert best_unseen(scorer, data, 1) == HELD_OUT_INDEX
