"""The recommend UDF on a real demo store: ONNX query tower, LanceDB item table."""

from __future__ import annotations

import duckdb
import pytest

import engine

USERS = (1, 2, 3)


@pytest.fixture
def store(demo_store):
    return engine.open(demo_store)


def _rows(con, statement, parameters=()):
    return con.execute(statement, list(parameters)).fetchall()


def test_recommend_matches_store_recommend(store):
    expected = {
        user_id: [
            (r.item_id, r.rank)
            for r in store.recommend(user_id, k=5, hour=20, weekday=5)
        ]
        for user_id in USERS
    }

    with store.connect() as con:
        rows = _rows(
            con,
            "select user_id, r.item_id, r.rank "
            "from users, unnest(recommend(user_id, 5, 20, 5)) as t(r) "
            "where user_id in (1, 2, 3) order by user_id, r.rank",
        )
    found = {u: [(i, r) for user, i, r in rows if user == u] for u in USERS}

    assert found == expected


def test_recommend_scores_match_store(store):
    expected = [r.score for r in store.recommend(2, k=4, hour=9, weekday=6)]

    with store.connect() as con:
        rows = _rows(con, "select [r.score for r in recommend(2, 4, 9, 6)]")

    assert rows[0][0] == pytest.approx(expected)


def test_recommend_two_argument_form(store):
    with store.connect() as con:
        rows = _rows(
            con, "select [r.rank for r in recommend(1, 7)], len(recommend(1, 7))"
        )

    assert rows == [(list(range(1, 8)), 7)]


def test_recommend_over_users_limit(store):
    with store.connect() as con:
        rows = _rows(
            con,
            "select user_id, unnest(recommend(user_id, 10), recursive := true) "
            "from users limit 100",
        )
        columns = [
            d[0]
            for d in con.execute(
                "select user_id, unnest(recommend(user_id, 2), recursive := true) "
                "from users limit 1"
            ).description
        ]

    assert len(rows) == 100
    assert columns == ["user_id", "item_id", "score", "rank"]


@pytest.mark.parametrize(
    "call",
    [
        "recommend(null, 3)",
        "recommend(1, null)",
        "recommend(1, 3, null, 5)",
        "recommend(1, 3, 20, null)",
    ],
)
def test_recommend_null_input_gives_null(store, call):
    with store.connect() as con:
        rows = _rows(con, f"select {call}")

    assert rows == [(None,)]


def test_recommend_unknown_user_gives_null(store):
    with store.connect() as con:
        rows = _rows(
            con,
            "select user_id, len(recommend(user_id, 3, 20, 5)) "
            "from (values (1), (-5), (987654321), (2)) as t(user_id) order by user_id",
        )

    assert rows == [(-5, None), (1, 3), (2, 3), (987654321, None)]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("recommend(1, 0)", "recommend: invalid k: 0, expected a positive integer"),
        (
            "recommend(1, -3, 20, 5)",
            "recommend: invalid k: -3, expected a positive integer",
        ),
        ("recommend(1, 3, 24, 5)", "recommend: invalid hour: 24, expected an integer"),
        ("recommend(1, 3, -1, 5)", "recommend: invalid hour: -1, expected an integer"),
        (
            "recommend(1, 3, 20, 8)",
            "recommend: invalid weekday: 8, expected 1 (Monday)",
        ),
        (
            "recommend(1, 3, 20, 0)",
            "recommend: invalid weekday: 0, expected 1 (Monday)",
        ),
    ],
)
def test_recommend_bad_argument_raises(store, call, message):
    with store.connect() as con:
        with pytest.raises(duckdb.InvalidInputException) as caught:
            con.execute(f"select {call}").fetchall()

    assert message in str(caught.value)
    assert "Python exception" not in str(caught.value)


def test_recommend_registering_loads_nothing(demo_store):
    fresh = engine.open(demo_store)

    with fresh.connect():
        loaded = fresh._recommender

    assert loaded is None


def test_recommend_queries_share_recommender(store):
    with store.connect() as con:
        _rows(con, "select recommend(user_id, 3, 20, 5) from users")
        first = store.recommender()
        _rows(con, "select recommend(user_id, 3, 8, 1) from users")

    assert store.recommender() is first


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("recommend(1, 2.5)", "recommend: invalid k: 2.5, expected a positive integer"),
        ("recommend(1, '3')", "recommend: invalid k: 3 of type VARCHAR"),
        ("recommend(1, 2.5, 20, 5)", "recommend: invalid k: 2.5, expected"),
        ("similar_items(7, 2.5)", "similar_items: invalid k: 2.5, expected"),
    ],
)
def test_recommend_k_of_wrong_type(store, call, message):
    with store.connect() as con:
        with pytest.raises(duckdb.InvalidInputException) as caught:
            con.execute(f"select {call}").fetchall()

    assert message in str(caught.value)
