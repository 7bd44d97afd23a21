"""Tests of the metadata profile model."""

import functools
import logging
import math

import numpy as np
import pyarrow as pa
import pytest
from behaviour import CHECKS, check_id

from engine.features import InteractionData
from engine.models._metadata import MetadataScorer


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_metadata_behaviour(check, seed, tmp_path):
    check(MetadataScorer, seed=seed, tmp_path=tmp_path)


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_metadata_behaviour_content_only(check, seed, tmp_path):
    check(
        functools.partial(MetadataScorer, popularity_weight=0.0),
        seed=seed,
        tmp_path=tmp_path,
    )


# Items 1, 2 and 6 are horror, 3-5 cartoons, 7 a drama. The horror fan (user
# 1) has items 1, 2 and 7, the cartoon fan (user 2) has 3, 4 and 7, and user 3
# has 5 and 6, so every item a fan has not seen has exactly one user. Each
# fan's expected item is not their lowest unseen id, so ties would fail.
GENRES = {
    1: ["Horror"],
    2: ["Horror", "Thriller"],
    3: ["Animation", "Children's"],
    4: ["Animation", "Children's"],
    5: ["Animation", "Children's", "Thriller"],
    6: ["Horror"],
    7: ["Drama"],
}
HORROR_FAN, CARTOON_FAN = 0, 1


def genre_data(titles=None) -> InteractionData:
    users = [1, 1, 1, 2, 2, 2, 3, 3]
    items = [1, 2, 7, 3, 4, 7, 5, 6]
    item_features = pa.table(
        {
            "item_id": pa.array(list(GENRES), pa.int64()),
            "title": titles or [f"film {item}" for item in GENRES],
            "genres": pa.array(list(GENRES.values()), pa.list_(pa.string())),
        }
    )
    return InteractionData.from_arrays(
        user_ids=[1, 2, 3],
        item_ids=list(GENRES),
        interaction_users=users,
        interaction_items=items,
        timestamps=range(len(users)),
        item_features=item_features,
    )


def top_unseen_item(data: InteractionData, scores: np.ndarray, user: int) -> int:
    masked = np.where(data.matrix()[user] > 0, -np.inf, scores[user])
    return int(data.item_ids[np.argmax(masked)])


@pytest.mark.parametrize("popularity_weight", [0.0, 0.7, 0.9])
def test_metadata_learns_genre_taste(popularity_weight):
    data = genre_data()
    scorer = MetadataScorer(popularity_weight=popularity_weight).fit(data)

    scores = scorer.score(np.array([HORROR_FAN, CARTOON_FAN]))

    assert top_unseen_item(data, scores, HORROR_FAN) == 6
    assert top_unseen_item(data, scores, CARTOON_FAN) == 5


def test_metadata_profile_prefers_own_genre():
    data = genre_data()
    scorer = MetadataScorer(popularity_weight=0.0).fit(data)

    scores = scorer.score(np.array([HORROR_FAN, CARTOON_FAN]))

    # The fans' profiles also hold the drama, which has no kept feature.
    horror, cartoon = 5, 4
    assert 0 < scores[HORROR_FAN, horror] < 1
    assert scores[HORROR_FAN, cartoon] < scores[HORROR_FAN, horror]
    assert 0 < scores[CARTOON_FAN, cartoon] < 1
    assert scores[CARTOON_FAN, horror] < scores[CARTOON_FAN, cartoon]


def one_item_user(item_id: int) -> InteractionData:
    return InteractionData.from_arrays(
        user_ids=[1],
        item_ids=list(GENRES),
        interaction_users=[1],
        interaction_items=[item_id],
        timestamps=[0],
        item_features=genre_data().item_features,
    )


def test_metadata_single_item_profile():
    scorer = MetadataScorer(popularity_weight=0.0).fit(one_item_user(1))

    scores = scorer.score(np.array([0]))

    # Item 6 has the same genres as item 1; cartoons 3 and 4 and the drama share none.
    np.testing.assert_allclose(scores[0, [0, 5]], [1.0, 1.0], rtol=1e-6)
    np.testing.assert_array_equal(scores[0, [2, 3, 6]], [0.0, 0.0, 0.0])


def test_metadata_idf_cosine_values():
    scorer = MetadataScorer(popularity_weight=0.0).fit(one_item_user(2))

    scores = scorer.score(np.array([0]))

    # Smoothed IDF over 7 items: Horror, Animation and Children's are on 3
    # items, Thriller on 2, and Drama (1 item) is below the encoder's min_count.
    common = math.log(8 / 4) + 1
    thriller = math.log(8 / 3) + 1
    item_2_norm = math.hypot(common, thriller)
    item_5_norm = math.sqrt(2 * common**2 + thriller**2)
    assert scores[0, 0] == pytest.approx(common / item_2_norm, rel=1e-5)
    assert scores[0, 4] == pytest.approx(
        thriller**2 / (item_2_norm * item_5_norm), rel=1e-5
    )
    assert scores[0, 6] == 0.0


def test_metadata_skips_title():
    titles = ["Halloween", "Halloween", "Dumbo", "Dumbo", "Heidi", "Scream", "Ran"]
    scorer = MetadataScorer().fit(genre_data(titles))

    columns = [encoding.column for encoding in scorer.encoder_.encodings_]

    assert columns == ["genres"]


def test_metadata_full_weight_is_log_popularity():
    data = genre_data()
    scorer = MetadataScorer(popularity_weight=1.0).fit(data)

    scores = scorer.score(np.array([0, 1, 2]))

    # Item 7 has 2 users, every other item 1.
    expected = np.array([math.log(2) / math.log(3)] * 6 + [1.0])
    for row in scores:
        np.testing.assert_allclose(row, expected, rtol=1e-6)


def test_metadata_without_columns_warns(caplog):
    data = InteractionData.from_arrays(
        user_ids=[1, 2],
        item_ids=[10, 20],
        interaction_users=[1, 2, 2],
        interaction_items=[10, 10, 20],
        timestamps=[0, 1, 2],
    )

    with caplog.at_level(logging.WARNING, logger="engine.models._metadata"):
        scorer = MetadataScorer(popularity_weight=0.5).fit(data)
    scores = scorer.score(np.array([0]))

    assert "no usable item metadata" in caplog.text
    np.testing.assert_allclose(
        scores[0], [0.5, 0.5 * math.log(2) / math.log(3)], rtol=1e-6
    )


def test_metadata_cold_user_gets_prior():
    data = genre_data()
    cold = InteractionData.from_arrays(
        user_ids=[1, 2, 3, 4],
        item_ids=data.item_ids,
        interaction_users=data.user_ids[data.users],
        interaction_items=data.item_ids[data.items],
        timestamps=data.timestamps,
        item_features=data.item_features,
    )
    scorer = MetadataScorer(popularity_weight=0.5).fit(cold)

    scores = scorer.score(np.array([3]))

    np.testing.assert_allclose(scores[0], 0.5 * scorer.popularity_prior_, rtol=1e-6)


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (-0.1, "invalid popularity_weight: -0.1"),
        (1.5, "invalid popularity_weight: 1.5"),
        (float("nan"), "invalid popularity_weight: nan"),
        ("0.5", "invalid popularity_weight: '0.5'"),
        (None, "invalid popularity_weight: null"),
    ],
)
def test_metadata_invalid_params(weight, message):
    scorer = MetadataScorer(popularity_weight=weight)

    with pytest.raises(ValueError, match=message):
        scorer.fit(genre_data())


def test_metadata_recent_items_shape_profile():
    # User 1 rated the horror film 1 first and the cartoon 3 last; user 2
    # rated the rest, so every unseen item has one user.
    data = InteractionData.from_arrays(
        user_ids=[1, 2],
        item_ids=list(GENRES),
        interaction_users=[1, 1, 2, 2, 2, 2, 2],
        interaction_items=[1, 3, 2, 4, 5, 6, 7],
        timestamps=range(7),
        item_features=genre_data().item_features,
    )

    recent = MetadataScorer(popularity_weight=0.0, recency_half_life=0.5).fit(data)
    alike = MetadataScorer(popularity_weight=0.0, recency_half_life=None).fit(data)
    recent_scores = recent.score(np.array([0]))[0]
    alike_scores = alike.score(np.array([0]))[0]

    # Cartoon 4 against horror 6 (item positions 3 and 5).
    assert recent_scores[3] > recent_scores[5]
    assert alike_scores[3] == pytest.approx(alike_scores[5], rel=1e-6)


def test_metadata_recency_weight_values():
    data = genre_data()

    scorer = MetadataScorer(recency_half_life=1.0).fit(data)

    # The horror fan rated items 1, 2 and 7, so their ages are 2, 1 and 0.
    entries = slice(scorer.history_offsets_[0], scorer.history_offsets_[1])
    np.testing.assert_array_equal(scorer.history_items_[entries], [0, 1, 6])
    np.testing.assert_allclose(scorer.history_weights_[entries], [0.25, 0.5, 1.0])


@pytest.mark.parametrize("half_life", [0, -3.0, "3"])
def test_metadata_invalid_half_life(half_life):
    scorer = MetadataScorer(recency_half_life=half_life)

    with pytest.raises(ValueError, match="invalid recency_half_life"):
        scorer.fit(genre_data())
