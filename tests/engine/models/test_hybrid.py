"""Tests of the hybrid of neighbourhood, metadata and two-tower scores."""

import functools
import json

import numpy as np
import pytest
from behaviour import CHECKS, check_id, checkerboard_data

from engine.models import MODELS
from engine.models._hybrid import HybridScorer
from engine.models._item_knn import ItemKNNScorer
from engine.models._sequence_linear import SequenceLinearScorer
from engine.models._two_tower import TwoTowerScorer

PARTS = (
    "item_knn", "user_knn", "sequence_knn", "sequence_linear", "metadata", "two_tower"
)
ONLY_ITEM_KNN = dict(
    item_knn_weight=1.0,
    user_knn_weight=0.0,
    sequence_knn_weight=0.0,
    sequence_linear_weight=0.0,
    metadata_weight=0.0,
    two_tower_weight=0.0,
    popularity_penalty=0.0,
)
# A two-tower part small enough to fit in about a second.
SMALL_TWO_TOWER = dict(embedding_size=16, hidden_size=32, history_length=4, epochs=3)
ONLY_TWO_TOWER = dict(
    ONLY_ITEM_KNN, item_knn_weight=0.0, two_tower_weight=1.0, two_tower=SMALL_TWO_TOWER
)


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_hybrid_behaviour(check, seed, tmp_path):
    check(HybridScorer, seed=seed, tmp_path=tmp_path)


@pytest.mark.parametrize("check", CHECKS, ids=check_id)
def test_hybrid_behaviour_custom_parts(check, seed, tmp_path):
    make_scorer = functools.partial(
        HybridScorer,
        user_knn_weight=0.0,
        metadata_weight=2.0,
        item_knn={"neighbour_count": 2, "similarity": "cosine"},
        metadata={"popularity_weight": 0.5, "recency_half_life": None},
    )
    check(make_scorer, seed=seed, tmp_path=tmp_path)


def test_hybrid_registered():
    assert MODELS["hybrid"] is HybridScorer


def test_hybrid_one_part_ranks_like_part():
    data = checkerboard_data()
    users = np.arange(data.user_count)
    hybrid = HybridScorer(**ONLY_ITEM_KNN).fit(data)
    item_knn = ItemKNNScorer().fit(data)

    blended = hybrid.score(users)
    alone = item_knn.score(users).astype(np.float64)

    # Standardising keeps each user's order of candidates.
    fitted = data.matrix() > 0
    for user in users:
        candidates = np.flatnonzero(~fitted[user])
        expected = np.argsort(-alone[user, candidates], kind="stable")
        actual = np.argsort(-blended[user, candidates], kind="stable")
        np.testing.assert_array_equal(actual, expected)


def test_hybrid_standardises_candidates():
    data = checkerboard_data()
    hybrid = HybridScorer(**ONLY_ITEM_KNN).fit(data)

    scores = hybrid.score(np.array([0]))[0].astype(np.float64)

    fitted = data.matrix()[0] > 0
    assert scores[~fitted].mean() == pytest.approx(0.0, abs=1e-6)
    assert scores[~fitted].std() == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_array_equal(scores[fitted], 0.0)


def test_hybrid_weights_add_parts():
    data = checkerboard_data()
    users = np.arange(data.user_count)
    single = {
        name: HybridScorer(
            **{f"{other}_weight": float(other == name) for other in PARTS},
            popularity_penalty=0.0,
            two_tower=SMALL_TWO_TOWER,
        ).fit(data)
        for name in PARTS
    }

    blended = (
        HybridScorer(1.0, 2.0, 0.7, 0.8, 0.5, 1.5, 0.0, two_tower=SMALL_TWO_TOWER)
        .fit(data)
        .score(users)
    )

    expected = (
        single["item_knn"].score(users).astype(np.float64)
        + 2.0 * single["user_knn"].score(users)
        + 0.7 * single["sequence_knn"].score(users)
        + 0.8 * single["sequence_linear"].score(users)
        + 0.5 * single["metadata"].score(users)
        + 1.5 * single["two_tower"].score(users)
    )
    np.testing.assert_allclose(blended, expected, rtol=1e-5, atol=1e-6)


def test_hybrid_penalty_subtracts_log_count():
    data = checkerboard_data()
    users = np.arange(data.user_count)
    plain = HybridScorer(**ONLY_ITEM_KNN).fit(data)
    penalised = HybridScorer(**{**ONLY_ITEM_KNN, "popularity_penalty": 2.5}).fit(data)

    fitted = data.matrix() > 0
    log_count = np.log1p(fitted.sum(axis=0))
    expected = plain.score(users).astype(np.float64)
    for user in users:
        candidates = ~fitted[user]
        values = log_count[candidates]
        # The penalty adds 0 when all candidates are equally popular.
        if values.std() > 0:
            expected[user, candidates] -= 2.5 * (values - values.mean()) / values.std()
    np.testing.assert_allclose(penalised.score(users), expected, atol=1e-5)


def test_hybrid_penalty_favours_rare_items():
    data = checkerboard_data()
    users = np.arange(data.user_count)
    counts = (data.matrix() > 0).sum(axis=0)
    # A penalty far above the part's weight ranks candidates by rarity alone.
    hybrid = HybridScorer(**{**ONLY_ITEM_KNN, "popularity_penalty": 1e6}).fit(data)

    scores = hybrid.score(users)

    fitted = data.matrix() > 0
    for user in users:
        candidates = np.flatnonzero(~fitted[user])
        if len(np.unique(counts[candidates])) < 2:
            continue
        top = candidates[np.argmax(scores[user, candidates])]
        assert counts[top] == counts[candidates].min()


def test_hybrid_loads_blend_saved_without_penalty(tmp_path):
    data = checkerboard_data()
    users = np.arange(data.user_count)
    hybrid = HybridScorer(**ONLY_ITEM_KNN).fit(data)
    hybrid.save(tmp_path)
    # Blends saved before the penalty existed have no popularity_penalty.
    state_file = tmp_path / "scorer.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    del state["params"]["popularity_penalty"]
    state_file.write_text(json.dumps(state), encoding="utf-8")

    loaded = HybridScorer.load(tmp_path)

    assert loaded.popularity_penalty == 0.0
    np.testing.assert_allclose(loaded.score(users), hybrid.score(users), atol=1e-6)


def test_hybrid_averages_tower_fits():
    data = checkerboard_data()
    users = np.arange(data.user_count)
    hybrid = HybridScorer(**ONLY_TWO_TOWER, two_tower_fits=3).fit(data, seed=4)
    # Fit k uses the blend's seed plus 100 k.
    towers = [
        TwoTowerScorer(**SMALL_TWO_TOWER).fit(data, seed=seed) for seed in (4, 104, 204)
    ]
    one_fit = HybridScorer(**ONLY_TWO_TOWER, two_tower_fits=1).fit(data, seed=4)

    mean = np.mean([tower.score(users) for tower in towers], axis=0)
    fitted = data.matrix() > 0
    expected = np.zeros_like(mean, dtype=np.float64)
    for user in users:
        candidates = ~fitted[user]
        values = mean[user, candidates].astype(np.float64)
        expected[user, candidates] = (values - values.mean()) / values.std()
    assert len(hybrid.tower_fits_) == 3
    assert hybrid.tower_fits_[0] is hybrid.parts_["two_tower"]
    np.testing.assert_allclose(hybrid.score(users), expected, atol=1e-4)
    # The fits differ, so their mean is not the first fit alone.
    assert not np.allclose(hybrid.score(users), one_fit.score(users), atol=1e-3)


def test_hybrid_takes_first_tower_fit_from_build(tmp_path):
    data = checkerboard_data()
    users = np.arange(data.user_count)
    tower = TwoTowerScorer(**SMALL_TWO_TOWER).fit(data, seed=1)
    hybrid = HybridScorer(**ONLY_TWO_TOWER, two_tower_fits=2)

    hybrid.fit(data, seed=1, fitted={"two_tower": tower})
    hybrid.save(tmp_path)
    loaded = HybridScorer.load(tmp_path)

    assert hybrid.tower_fits_[0] is tower
    assert hybrid.tower_fits_[1] is not tower
    assert (tmp_path / "two_tower_2").is_dir()
    assert len(loaded.tower_fits_) == 2
    np.testing.assert_allclose(loaded.score(users), hybrid.score(users), atol=1e-5)


def test_hybrid_loads_blend_saved_with_one_tower_fit(tmp_path):
    data = checkerboard_data()
    users = np.arange(data.user_count)
    hybrid = HybridScorer(**ONLY_TWO_TOWER, two_tower_fits=1).fit(data)
    hybrid.save(tmp_path)
    # Blends saved before the averaged fits name neither the count nor the fits.
    state_file = tmp_path / "scorer.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    del state["params"]["two_tower_fits"]
    state["extra"].pop("tower_fits")
    state_file.write_text(json.dumps(state), encoding="utf-8")

    loaded = HybridScorer.load(tmp_path)

    assert loaded.two_tower_fits == 1
    assert len(loaded.tower_fits_) == 1
    np.testing.assert_allclose(loaded.score(users), hybrid.score(users), atol=1e-5)


def test_hybrid_saves_parts(tmp_path):
    data = checkerboard_data()
    users = np.arange(data.user_count)
    hybrid = HybridScorer(two_tower=SMALL_TWO_TOWER).fit(data)

    hybrid.save(tmp_path)
    loaded = HybridScorer.load(tmp_path)

    for name in PARTS:
        assert any((tmp_path / name).iterdir()), f"no files saved for {name}"
    np.testing.assert_allclose(loaded.score(users), hybrid.score(users), atol=1e-5)


def test_hybrid_takes_matching_fitted_parts():
    data = checkerboard_data()
    users = np.arange(data.user_count)
    item_knn = ItemKNNScorer().fit(data)
    other = ItemKNNScorer(neighbour_count=2).fit(data)

    reused = HybridScorer(**ONLY_ITEM_KNN).fit(data, fitted={"item_knn": item_knn})
    refitted = HybridScorer(**ONLY_ITEM_KNN).fit(data, fitted={"item_knn": other})
    wrong_name = HybridScorer(**ONLY_ITEM_KNN).fit(data, fitted={"user_knn": item_knn})

    assert reused.parts_["item_knn"] is item_knn
    # Other parameters or another part's name: the hybrid fits its own copy.
    assert refitted.parts_["item_knn"] is not other
    default_count = ItemKNNScorer().neighbour_count
    assert refitted.parts_["item_knn"].neighbour_count == default_count
    assert wrong_name.parts_["item_knn"] is not item_knn
    np.testing.assert_array_equal(reused.score(users), refitted.score(users))


def test_hybrid_skips_zero_weight_parts(tmp_path):
    hybrid = HybridScorer(**ONLY_ITEM_KNN).fit(checkerboard_data())

    hybrid.save(tmp_path)
    loaded = HybridScorer.load(tmp_path)

    assert list(hybrid.parts_) == ["item_knn"]
    assert list(loaded.parts_) == ["item_knn"]
    assert not (tmp_path / "metadata").exists()


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"item_knn_weight": -1.0}, ValueError, "invalid item_knn_weight: -1.0"),
        ({"metadata_weight": "0.3"}, ValueError, "invalid metadata_weight: '0.3'"),
        (
            {"popularity_penalty": -1},
            ValueError,
            r"invalid popularity_penalty: -1, expected a finite number >= 0",
        ),
        (
            {"popularity_penalty": 1e308},
            ValueError,
            r"invalid popularity_penalty: 1e\+308, expected at most 1,000,000",
        ),
        (
            {"two_tower_weight": 2e6},
            ValueError,
            r"invalid two_tower_weight: 2000000.0, expected at most 1,000,000",
        ),
        (
            {**ONLY_ITEM_KNN, "item_knn_weight": 0},
            ValueError,
            "invalid hybrid weights: all 0",
        ),
        (
            {"two_tower_fits": 0},
            ValueError,
            "invalid two_tower_fits: 0, expected a whole number from 1 to 10",
        ),
        (
            {"two_tower_fits": 2.0},
            ValueError,
            "invalid two_tower_fits: 2.0, expected a whole number from 1 to 10",
        ),
        (
            {"two_tower_fits": 11},
            ValueError,
            "invalid two_tower_fits: 11, expected a whole number from 1 to 10",
        ),
        ({"user_knn": [1, 2]}, TypeError, "invalid user_knn: list"),
        ({"item_knn": {"shrinkage": -1}}, ValueError, "invalid shrinkage: -1"),
        (
            {"item_knn": {"bogus": 1}},
            ValueError,
            "unknown parameter of the hybrid's item_knn part: 'bogus', expected one of",
        ),
    ],
)
def test_hybrid_invalid_params(params, error, message):
    scorer = HybridScorer(**params)

    with pytest.raises(error, match=message):
        scorer.fit(checkerboard_data())


def test_hybrid_leaves_out_part_over_item_limit(monkeypatch):
    data = checkerboard_data()
    monkeypatch.setattr(SequenceLinearScorer, "max_items", data.item_count - 1)

    hybrid = HybridScorer(**{**ONLY_ITEM_KNN, "sequence_linear_weight": 1.0}).fit(data)

    assert list(hybrid.parts_) == ["item_knn"]


def test_hybrid_checks_zero_weight_part_params():
    hybrid = HybridScorer(
        **{**ONLY_ITEM_KNN, "sequence_linear": {"regularization": 0.0}}
    )

    message = "sequence_linear part: invalid regularization"

    with pytest.raises(ValueError, match=message):
        hybrid.check_params()
    with pytest.raises(ValueError, match=message):
        hybrid.fit(checkerboard_data())
