import json
import time

import numpy as np
import pytest

import engine
from engine.demo import generate_demo
from engine.index import Filter, build_index
from engine.ingest import ingest_files
from engine.training import train


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = engine.open(tmp_path_factory.mktemp("serve") / "demo.sqlrec", create=True)
    demo = generate_demo(seed=3, user_count=120, item_count=250)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)
    train(store, models=["popular", "two_tower"], params={"two_tower": {"epochs": 2}}, seed=3)
    build_index(store)
    return store


def test_recommend_excludes_seen(store):
    seen = set(store.recommender().seen_items(5).tolist())

    result = store.recommend(5, k=20)

    assert len(result) == 20
    assert not seen & set(result.item_ids())


def test_recommend_include_seen(store):
    seen = set(store.recommender().seen_items(5).tolist())

    result = store.recommend(5, k=250, exclude_seen=False)

    assert seen <= set(result.item_ids())


def test_recommend_scores_descend(store):
    result = store.recommend(7, k=15)

    scores = [r.score for r in result]
    assert scores == sorted(scores, reverse=True)
    assert [r.rank for r in result] == list(range(1, 16))


def test_recommend_context_changes_ranking(store):
    friday = store.recommend(9, k=30, hour=20, weekday=5).item_ids()
    saturday = store.recommend(9, k=30, hour=9, weekday=6).item_ids()

    assert friday != saturday


def test_recommend_filter_as_text(store):
    structured = store.recommend(5, k=5, filters=[Filter("christmas", "=", True)])
    text = store.recommend(5, k=5, filters=["christmas=true"])

    assert structured.item_ids() == text.item_ids()


def test_recommend_filter_all_of_list(store):
    with store.connect() as con:
        expected = {
            row[0]
            for row in con.execute(
                "select item_id from items where list_has_all(genres, ['Comedy', 'Family'])"
            ).fetchall()
        }

    result = store.recommend(5, k=500, filters=["genres~Comedy&Family"], exclude_seen=False)

    assert set(result.item_ids()) == expected


@pytest.mark.parametrize("exclude_seen", [True, False])
def test_recommend_zero_match_filter(store, exclude_seen):
    result = store.recommend(5, k=5, filters=["year>3000"], exclude_seen=exclude_seen)

    assert len(result) == 0
    assert result.source == "two_tower"


def test_recommend_zero_match_fallback(store):
    result = store.recommend(None, k=5, filters=["year>3000"], fallback="popular")

    assert len(result) == 0
    assert result.source == "popular"


@pytest.mark.parametrize("single", ["christmas=true", Filter("christmas", "=", True)])
def test_recommend_single_filter(store, single):
    listed = store.recommend(5, k=5, filters=[Filter("christmas", "=", True)])

    result = store.recommend(5, k=5, filters=single)

    assert result.item_ids() == listed.item_ids()


@pytest.mark.parametrize("filters", [5, {"christmas": True}, [["christmas=true"]], b"year>1"])
def test_recommend_rejects_filter_types(store, filters):
    with pytest.raises(TypeError, match="expected a Filter, a str such as 'year>=1990', or a list"):
        store.recommend(5, k=5, filters=filters)


@pytest.mark.parametrize("k", [np.int64(3), np.int32(3), np.uint8(3)])
def test_recommend_numpy_k(store, k):
    result = store.recommend(5, k=k)

    assert len(result) == 3
    assert type(result.k) is int


def test_recommend_match_count_includes_seen(store):
    seen = store.recommender().seen_items(5)
    flt = Filter("item_id", "in", seen[:2].tolist())

    result = store.recommend(5, k=5, filters=flt)

    assert len(result) == 0
    assert result.match_count == 2


def test_recommend_unknown_user_raises(store):
    with pytest.raises(engine.UnknownUserError, match="unknown user: 999999"):
        store.recommend(999999)


def test_recommend_fallback_popular_filtered(store):
    result = store.recommend(None, k=3, fallback="popular", filters=["christmas=true"])

    with store.connect() as con:
        christmas = {r[0] for r in con.execute("select item_id from items where christmas").fetchall()}
    assert result.source == "popular"
    assert set(result.item_ids()) <= christmas
    assert [r.score for r in result] == sorted((r.score for r in result), reverse=True)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"k": 0}, "invalid k"),
        ({"hour": 24}, "invalid hour"),
        ({"weekday": 0}, "invalid weekday"),
        ({"fallback": "random"}, "invalid fallback"),
        ({"filters": ["nope=1"]}, "unknown filter column"),
    ],
)
def test_recommend_rejects_bad_options(store, options, message):
    with pytest.raises(ValueError, match=message):
        store.recommend(5, **options)


def test_recommend_to_dict_is_json(store):
    payload = json.loads(json.dumps(store.recommend(5, k=3, hour=1, weekday=1).to_dict()))

    assert payload["context"] == {"hour": 1, "weekday": 1, "since_last_seconds": None}
    assert len(payload["items"]) == 3


def test_recommend_reports_since_last_seconds(store):
    recommender = store.recommender()
    position = int(np.searchsorted(recommender.inputs.user_ids, 5))
    seen = int(recommender.inputs.user_last_seen[position])

    before = int(time.time())
    seconds = store.recommend(5, k=3).context["since_last_seconds"]
    after = int(time.time())

    # Demo interactions may be dated after the clock, and then the time is not given.
    if after < seen:
        assert seconds is None
    elif before >= seen:
        assert before - seen <= seconds <= after - seen + 1


def test_new_version_switches_serving(store):
    before = store.recommender().version

    train(store, models=["popular", "two_tower"], params={"two_tower": {"epochs": 1}}, seed=4)
    build_index(store)

    assert store.recommender().version != before
    assert len(store.recommend(5, k=4)) == 4
