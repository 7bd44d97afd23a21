"""_checked_recs and the macros that read a recommendations table through it."""

from __future__ import annotations

import duckdb
import pytest

# Each macro that ranks recs, called on the table {recs}.
CALLS = {
    "recall_at_k": "select * from recall_at_k('{recs}', 'truth')",
    "ndcg_at_k": "select * from ndcg_at_k('{recs}', 'truth')",
    "coverage": "select * from coverage('{recs}', 'items')",
    "popularity_bias": "select * from popularity_bias('{recs}', 'truth')",
    "diversify": "select * from diversify('{recs}', 'items', key := 'year')",
    "interleave": "select * from interleave('{recs}', 'items', key := 'year')",
    "candidates": "select * from candidates('{recs}', 'truth', 'items')",
}


@pytest.fixture
def tables(con):
    con.execute(
        "create table recs as select * from (values "
        "('m', 1, 10, 9.0), ('m', 1, 11, 10.0), ('m', 1, 12, 1.5), ('m', 2, 10, 2.0)"
        ") as t(model, user_id, item_id, score)"
    )
    con.execute("create table truth as select * from (values (1, 12), (2, 10)) as t(user_id, item_id)")
    con.execute(
        "create table items as select * from (values (10, 1990), (11, 1990), (12, 2000)) "
        "as t(item_id, year)"
    )


@pytest.mark.parametrize("macro", CALLS)
def test_text_score_rejected(con, tables, macro):
    con.execute(
        "create table text_recs as "
        "select model, user_id, item_id, score::varchar as score from recs"
    )

    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(CALLS[macro].format(recs="text_recs")).fetchall()

    assert (
        f"{macro}: invalid recs 'text_recs': score is VARCHAR, expected a number type"
        in str(caught.value)
    )


def test_text_score_rejected_when_empty(con, tables):
    con.execute("create table text_recs (model varchar, user_id int, item_id int, score varchar)")

    with pytest.raises(duckdb.InvalidInputException, match="score is VARCHAR"):
        con.execute(CALLS["recall_at_k"].format(recs="text_recs")).fetchall()


@pytest.mark.parametrize("macro", CALLS)
def test_missing_column_named(con, tables, macro):
    con.execute("create table no_model as select user_id, item_id, score from recs")

    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(CALLS[macro].format(recs="no_model")).fetchall()

    assert f"{macro}: invalid recs 'no_model': missing column model" in str(caught.value)


@pytest.mark.parametrize("score_type", ["integer", "decimal(6, 2)", "float", "ubigint"])
def test_number_scores_rank_alike(con, tables, score_type):
    con.execute(
        "create table typed_recs as select model, user_id, item_id, "
        f"score::{score_type} as score from recs"
    )

    rows = con.execute(
        "select user_id, item_id, rank from _ranked_lists('typed_recs') "
        "order by user_id, rank"
    ).fetchall()

    assert rows == [(1, 11, 1), (1, 10, 2), (1, 12, 3), (2, 10, 1)]


@pytest.mark.parametrize(
    "name", ["hits", "settings", "models", "ranked", "cutoff", "kept", "truth_pairs"]
)
def test_table_named_like_internal_step(con, tables, name):
    con.execute(f"create table {name} as select * from recs")

    by_name = con.execute(CALLS["recall_at_k"].format(recs=name)).fetchall()
    by_recs = con.execute(CALLS["recall_at_k"].format(recs="recs")).fetchall()
    reranked = con.execute(CALLS["diversify"].format(recs=name)).fetchall()

    assert by_name == by_recs
    assert len(reranked) == 3


@pytest.mark.parametrize(
    ("k", "message"),
    [
        ("'10'", "recall_at_k: invalid k: 10 of type VARCHAR, expected a positive integer"),
        ("true", "recall_at_k: invalid k: true of type BOOLEAN"),
        ("2.5", "recall_at_k: invalid k: 2.5, expected a positive integer"),
    ],
)
def test_k_of_wrong_type(con, tables, k, message):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(f"select * from recall_at_k('recs', 'truth', k := {k})").fetchall()

    assert message in str(caught.value)
