"""mrr on hand-written held-out ranks.

Model ``a``: user 1's held-out item ranks 2nd, user 2's 57th, user 3 has two
held-out items at ranks 1 and 4 (the best counts), user 4 has a rank-1 row for
an item outside truth (ignored) and its held-out item 2nd, and user 5's item was
not a candidate (NULL rank), so it gets 0. Model ``b`` only ranks user 1.
"""

from __future__ import annotations

import pytest

RANKS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "rank": "bigint"}
TRUTH = {"user_id": "bigint", "item_id": "bigint"}
EXPECTED = {"model": "varchar", "user_id": "bigint", "value": "double"}


@pytest.fixture
def tables(load_table):
    load_table("ranks", RANKS)
    load_table("truth", TRUTH)


def test_mrr_table(con, tables, expected):
    rows = expected("expected_mrr", EXPECTED)

    result = con.execute("select * from mrr('ranks', 'truth')").fetchall()

    assert [row[:2] for row in result] == [row[:2] for row in rows]
    assert [row[2] for row in result] == pytest.approx(
        [row[2] for row in rows], abs=1e-15
    )


def test_mrr_ignores_items_outside_truth(con, tables):
    value = con.execute(
        "select value from mrr('ranks', 'truth') where model = 'a' and user_id = 4"
    ).fetchall()

    assert value == [(0.5,)]


def test_mrr_null_rank_counts_zero(con, tables):
    value = con.execute(
        "select value from mrr('ranks', 'truth') where model = 'a' and user_id = 5"
    ).fetchall()

    assert value == [(0.0,)]


def test_mrr_reads_rank_not_score(con):
    # The scores order item 11 first, but the stored rank puts it 3rd.
    con.execute(
        "create table scored_ranks as select * from (values "
        "('a', 1, 10, 0.1, 1), ('a', 1, 12, 0.2, 2), ('a', 1, 11, 0.9, 3)) "
        "as t(model, user_id, item_id, score, rank)"
    )
    con.execute("create table one_truth as select 1 as user_id, 11 as item_id")

    value = con.execute(
        "select value from mrr('scored_ranks', 'one_truth')"
    ).fetchall()

    assert value == [(pytest.approx(1 / 3),)]
