"""Metric macros on a truth table with NULL user_id or item_id rows.

Such rows are ignored: the metrics equal those of the clean truth table, no user
gets a NaN value, and no evaluated user has a NULL user_id.
"""

from __future__ import annotations

import math

import pytest

RECS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "score": "double"}
TRUTH = {"user_id": "bigint", "item_id": "bigint"}
RANKS = {"model": "varchar", "user_id": "bigint", "item_id": "bigint", "rank": "bigint"}

PER_USER_QUERIES = [
    "select * from recall_at_k('recs', '{truth}', k := 10)",
    "select * from ndcg_at_k('recs', '{truth}', k := 10)",
    "select * from mrr('ranks', '{truth}')",
]


@pytest.fixture
def tables(con, load_table):
    load_table("recs", RECS)
    load_table("truth", TRUTH)
    load_table("ranks", RANKS)
    # User 99999 has only a NULL item, a NULL user has item 11 (a recommended,
    # ranked item), and user 1 gets an extra NULL item.
    con.execute(
        "create table noisy_truth as select * from truth "
        "union all select 99999, null "
        "union all select null, 11 "
        "union all select 1, null"
    )


@pytest.mark.parametrize("query", PER_USER_QUERIES)
def test_per_user_metric_ignores_null_truth(con, tables, query):
    clean = con.execute(query.format(truth="truth")).fetchall()

    noisy = con.execute(query.format(truth="noisy_truth")).fetchall()

    assert noisy == clean


@pytest.mark.parametrize("query", PER_USER_QUERIES)
def test_per_user_metric_no_null_user_or_nan(con, tables, query):
    rows = con.execute(query.format(truth="noisy_truth")).fetchall()

    assert all(row[1] is not None for row in rows)
    assert all(row[1] != 99999 for row in rows)
    assert not any(math.isnan(row[2]) for row in rows)


def test_summary_metrics_ignores_null_truth(con, tables):
    clean = con.execute(
        "select * from summary_metrics('recs', 'truth', 'ranks')"
    ).fetchall()

    noisy = con.execute(
        "select * from summary_metrics('recs', 'noisy_truth', 'ranks')"
    ).fetchall()

    assert noisy == clean


def test_summary_metrics_user_count_excludes_null_rows(con, tables):
    clean_users = con.execute(
        "select count(distinct user_id) from truth"
    ).fetchone()[0]

    counts = con.execute(
        "select user_count from summary_metrics('recs', 'noisy_truth', 'ranks')"
    ).fetchall()

    assert counts
    assert all(count == clean_users for (count,) in counts)
