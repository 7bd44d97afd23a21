"""recall_at_k on a tiny hand-ranked table; cases are documented per user.

Model ``a``: user 1 has items 10 and 11 tied at 0.9, so 10 ranks first and the
held-out 11 second. User 2 has no hit. User 3 has a one-item list and two
held-out items. User 4 lists item 40 twice above the held-out 41, which is
second once 40 counts once. User 5 is held out with no recommendation and
appears twice in truth. User 6 is recommended to but not held out. Model ``b``
only recommends to user 1.
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


@pytest.mark.parametrize("k", [1, 2, 10])
def test_recall_at_k_table(con, tables, expected, k):
    rows = [
        row[1:] for row in expected("expected_recall_at_k", EXPECTED) if row[0] == k
    ]

    result = con.execute(
        f"select * from recall_at_k('recs', 'truth', k := {k})"
    ).fetchall()

    assert result == rows


def test_recall_default_k_is_10(con, tables):
    default = con.execute("select * from recall_at_k('recs', 'truth')").fetchall()

    explicit = con.execute(
        "select * from recall_at_k('recs', 'truth', k := 10)"
    ).fetchall()

    assert default == explicit


def test_recall_ties_go_to_lower_item(con, tables):
    value = con.execute(
        "select value from recall_at_k('recs', 'truth', k := 1) "
        "where model = 'a' and user_id = 1"
    ).fetchall()

    assert value == [(0.0,)]


def test_recall_unheld_user_left_out(con, tables):
    users = con.execute(
        "select distinct user_id from recall_at_k('recs', 'truth') order by user_id"
    ).fetchall()

    assert users == [(1,), (2,), (3,), (4,), (5,)]


@pytest.mark.parametrize("k", ["0", "-1", "2.5", "null"])
def test_recall_bad_k_names_macro(con, tables, k):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(f"select * from recall_at_k('recs', 'truth', k := {k})").fetchall()

    assert f"recall_at_k: invalid k: {k}, expected a positive integer" in str(
        caught.value
    )


def test_recall_bad_k_on_empty_tables(con):
    con.execute(
        "create table no_recs (model varchar, user_id int, item_id int, score double)"
    )
    con.execute("create table no_truth (user_id int, item_id int)")

    with pytest.raises(duckdb.InvalidInputException, match="recall_at_k: invalid k: 0"):
        con.execute(
            "select * from recall_at_k('no_recs', 'no_truth', k := 0)"
        ).fetchall()
