"""ndcg_at_k on the tiny table of test_recall_at_k (the same cases per user).

Hand computation at k = 10: user 1 of model ``a`` hits at rank 2 with one held-out
item, so NDCG = (1 / log2 3) / 1. User 3 hits at rank 1 with two held-out items,
so NDCG = 1 / (1 + 1 / log2 3). User 4 hits at rank 2 after the duplicate of item
40 is merged. At k = 1 the ideal DCG of user 3 counts one position only, so 1.0.
"""

from __future__ import annotations

import duckdb
import pytest

RECS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "score": "double"}
TRUTH = {"user_id": "bigint", "item_id": "bigint"}
EXPECTED = {"k": "integer", "model": "varchar", "user_id": "bigint", "value": "double"}


@pytest.fixture
def tables(load_table):
    load_table("recs", RECS)
    load_table("truth", TRUTH)


@pytest.mark.parametrize("k", [1, 10])
def test_ndcg_at_k_table(con, tables, expected, k):
    rows = [row[1:] for row in expected("expected_ndcg_at_k", EXPECTED) if row[0] == k]

    result = con.execute(
        f"select * from ndcg_at_k('recs', 'truth', k := {k})"
    ).fetchall()

    assert [row[:2] for row in result] == [row[:2] for row in rows]
    assert [row[2] for row in result] == pytest.approx(
        [row[2] for row in rows], abs=1e-12
    )


def test_ndcg_perfect_list_is_one(con):
    con.execute(
        "create table perfect as select * from "
        "(values ('m', 1, 7, 0.9), ('m', 1, 8, 0.5)) "
        "as t(model, user_id, item_id, score)"
    )
    con.execute(
        "create table held as select * from (values (1, 7), (1, 8)) "
        "as t(user_id, item_id)"
    )

    value = con.execute("select value from ndcg_at_k('perfect', 'held')").fetchall()

    assert value == [(pytest.approx(1.0, abs=1e-12),)]


@pytest.mark.parametrize("k", ["0", "-3", "1.5"])
def test_ndcg_bad_k_names_macro(con, tables, k):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(f"select * from ndcg_at_k('recs', 'truth', k := {k})").fetchall()

    assert f"ndcg_at_k: invalid k: {k}, expected a positive integer" in str(
        caught.value
    )
