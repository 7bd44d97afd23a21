"""ltr_labels on hand-written impression stripes; the cases are documented per stripe.

Stripe 1 has one click at position 3, so positions 1-2 are 0, 3 is 1, and 4-5 below
it are left out. Stripe 2 has no click and is left out. Stripe 3 has clicks at 2 and
4: both are 1, positions 1 and 3 are 0, position 5 is left out. Stripe 4's click is
at the top, so it is the only row. Stripe 5 has a NULL clicked above its click,
labelled 0. Stripe 6's click is its last item, so every row stays. Stripe 7's only
click has a NULL position, so the stripe counts as without a click.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
IMPRESSIONS = {
    "stripe_id": "bigint",
    "user_id": "bigint",
    "item_id": "bigint",
    "position": "integer",
    "clicked": "boolean",
}
EXPECTED = {
    "stripe_id": "bigint",
    "user_id": "bigint",
    "item_id": "bigint",
    "position": "integer",
    "label": "integer",
}


@pytest.fixture
def tables(load_table):
    load_table("impressions", IMPRESSIONS, DATA)


def test_ltr_labels_table(con, tables, expected):
    rows = expected("expected_ltr_labels", EXPECTED, DATA)

    result = con.execute("select * from ltr_labels('impressions')").fetchall()

    assert result == rows


def test_ltr_labels_stripe_without_click(con, tables):
    stripes = con.execute(
        "select distinct stripe_id from ltr_labels('impressions') order by stripe_id"
    ).fetchall()

    assert stripes == [(1,), (3,), (4,), (5,), (6,)]


def test_ltr_labels_two_clicks(con, tables):
    labels = con.execute(
        "select position, label from ltr_labels('impressions') where stripe_id = 3"
    ).fetchall()

    assert labels == [(1, 0), (2, 1), (3, 0), (4, 1)]


def test_ltr_labels_integer_clicks(con):
    con.execute(
        "create table shown as select * from (values "
        "(1, 7, 10, 1, 0), (1, 7, 11, 2, 1), (1, 7, 12, 3, 0)"
        ") as t(stripe_id, user_id, item_id, position, clicked)"
    )

    labels = con.execute("select item_id, label from ltr_labels('shown')").fetchall()

    assert labels == [(10, 0), (11, 1)]


def test_ltr_labels_columns(con, tables):
    columns = [
        d[0] for d in con.execute("select * from ltr_labels('impressions')").description
    ]

    assert columns == ["stripe_id", "user_id", "item_id", "position", "label"]
