"""popularity_bias on nine interactions with four items.

Item 1 has 4 interactions (percentile 100), items 2 and 3 have 2 each (75: three of
the four items have at most 2), item 4 has 1 (25), and item 9 has none (0). Model
``a`` lists item 2 twice for user 2, counted once. Model ``b`` ties items 1 and 3
for user 1, so item 1 takes the first place.
"""

from __future__ import annotations

import duckdb
import pytest

RECS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "score": "double"}
INTERACTIONS = {"user_id": "bigint", "item_id": "bigint"}
EXPECTED = {
    "k": "integer",
    "model": "varchar",
    "recommendation_count": "bigint",
    "mean_interaction_count": "double",
    "mean_popularity_percentile": "double",
}


@pytest.fixture
def tables(load_table):
    load_table("popularity_recs", RECS)
    load_table("popularity_interactions", INTERACTIONS)


@pytest.mark.parametrize("k", [1, 2, 10])
def test_popularity_bias_table(con, tables, expected, k):
    rows = [
        row[1:] for row in expected("expected_popularity_bias", EXPECTED) if row[0] == k
    ]

    result = con.execute(
        "select * from popularity_bias('popularity_recs', 'popularity_interactions', "
        f"k := {k})"
    ).fetchall()

    assert [row[:2] for row in result] == [row[:2] for row in rows]
    assert [row[2:] for row in result] == [pytest.approx(row[2:]) for row in rows]


def test_popularity_unknown_item_is_zero(con, tables):
    con.execute(
        "create table only_new as "
        "select 'c' as model, 1 as user_id, 9 as item_id, 1.0 as score"
    )

    rows = con.execute(
        "select mean_interaction_count, mean_popularity_percentile "
        "from popularity_bias('only_new', 'popularity_interactions')"
    ).fetchall()

    assert rows == [(0.0, 0.0)]


@pytest.mark.parametrize("k", ["0", "-1", "2.5", "null"])
def test_popularity_bias_bad_k_names_macro(con, tables, k):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            "select * from popularity_bias('popularity_recs', "
            f"'popularity_interactions', k := {k})"
        ).fetchall()

    assert f"popularity_bias: invalid k: {k}, expected a positive integer" in str(
        caught.value
    )
