"""summary_metrics: per-model means of the per-user macros over the users of truth.

Model ``a``: recall is 1, 0, 0.5, 1, 0 for users 1-5 at every k of 10 and more,
so 0.5. NDCG@10 is (2 / log2 3 + 1 / (1 + 1 / log2 3)) / 5, and MRR is
(1/2 + 1/57 + 1 + 1/2 + 0) / 5. Model ``b`` hits only user 1 at rank 1: 0.2 each.
"""

from __future__ import annotations

import pytest

RECS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "score": "double"}
TRUTH = {"user_id": "bigint", "item_id": "bigint"}
RANKS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "rank": "bigint"}
EXPECTED = {
    "model": "varchar",
    "user_count": "bigint",
    "recall_at_10": "double",
    "recall_at_30": "double",
    "recall_at_100": "double",
    "ndcg_at_10": "double",
    "mrr": "double",
}


@pytest.fixture
def tables(load_table):
    load_table("recs", RECS)
    load_table("truth", TRUTH)
    load_table("ranks", RANKS)


def test_summary_metrics_table(con, tables, expected):
    rows = expected("expected_summary_metrics", EXPECTED)

    result = con.execute(
        "select * from summary_metrics('recs', 'truth', 'ranks')"
    ).fetchall()

    assert [row[:2] for row in result] == [row[:2] for row in rows]
    for got, want in zip(result, rows):
        assert got[2:] == pytest.approx(want[2:], abs=1e-12), got[0]


def test_summary_metrics_columns(con, tables):
    con.execute("select * from summary_metrics('recs', 'truth', 'ranks')").fetchall()

    columns = [column[0] for column in con.description]

    assert columns == list(EXPECTED)
