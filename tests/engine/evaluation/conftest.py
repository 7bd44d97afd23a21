"""Stores for the evaluation tests: a tiny hand-made one and MovieLens-100K.

The tiny store has items 10-60 and four users (timestamps in UTC):

- user 1: 10, 20, 30 on 2023-12-31, then 40 on Monday 2024-01-01 13:00;
- user 2: 10, 20 on 2023-12-31, then 50 on Saturday 2024-01-06 23:00;
- user 3: 10, 30 on 2023-12-31, then 20 on Sunday 2024-01-07 00:30;
- user 4: 10 only, so loo does not evaluate it.

Under ``loo``/``final`` each user's last item is held out. Fitted popularity is
then 3 for item 10, 2 for items 20 and 30, and 0 for items 40, 50 and 60 (60 has
no interaction at all but is still a candidate).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from engine.ingest import ingest_movielens

TINY_INTERACTIONS = [
    (1, 10, "2023-12-31 10:00:00"),
    (1, 20, "2023-12-31 10:00:01"),
    (1, 30, "2023-12-31 10:00:02"),
    (1, 40, "2024-01-01 13:00:00"),
    (2, 10, "2023-12-31 11:00:00"),
    (2, 20, "2023-12-31 11:00:01"),
    (2, 50, "2024-01-06 23:00:00"),
    (3, 10, "2023-12-31 12:00:00"),
    (3, 30, "2023-12-31 12:00:01"),
    (3, 20, "2024-01-07 00:30:00"),
    (4, 10, "2023-12-31 09:00:00"),
]
TINY_ITEMS = [10, 20, 30, 40, 50, 60]


def build_tiny_store(path: Path) -> engine.Store:
    """Create the tiny store described in this module's docstring at ``path``."""
    store = engine.open(path, create=True)
    with store.writer() as con:
        con.execute("create or replace table items (item_id bigint primary key, title varchar)")
        con.executemany(
            "insert into items values (?, ?)", [(i, f"item {i}") for i in TINY_ITEMS]
        )
        con.execute("create or replace table users (user_id bigint primary key, age integer)")
        con.executemany(
            "insert into users values (?, ?)", [(u, 30) for u in range(1, 5)]
        )
        con.executemany(
            "insert into interactions (user_id, item_id, timestamp) "
            "values (?, ?, ?::timestamp)",
            TINY_INTERACTIONS,
        )
    return store


@pytest.fixture
def tiny_store(tmp_path) -> engine.Store:
    return build_tiny_store(tmp_path / "tiny.sqlrec")


@pytest.fixture(scope="module")
def ml100k_store(tmp_path_factory, ml100k_dir) -> engine.Store:
    store = engine.open(
        tmp_path_factory.mktemp("ml100k") / "movies.sqlrec", create=True
    )
    ingest_movielens(store, ml100k_dir)
    return store
