"""Tiny data of the benchmark tests.

The tiny store's catalogue has filler items 1-20, which have no interactions,
and items 101-108. Five users each have five interactions one minute apart, so
``loo`` holds out each user's fifth item (final) or fourth item (tune). Users 1-3
follow 101 -> 102 -> 103 -> 104 -> 105 and users 4-5 follow
104 -> 105 -> 106 -> 107 -> 108. The filler items have the lowest ids, so a
scorer that ties everything fills its top 10 with them and hits nothing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import engine
from engine.features import InteractionData

TINY_ITEMS = list(range(1, 21)) + list(range(101, 109))
TINY_SEQUENCES = {
    1: [101, 102, 103, 104, 105],
    2: [101, 102, 103, 104, 105],
    3: [101, 102, 103, 104, 105],
    4: [104, 105, 106, 107, 108],
    5: [104, 105, 106, 107, 108],
}


def tiny_rows(sequences: dict[int, list[int]]) -> list[tuple[int, int, str]]:
    """Turn user sequences into (user_id, item_id, timestamp) rows, one minute apart."""
    rows = []
    for user, items in sequences.items():
        for position, item in enumerate(items):
            rows.append((user, item, f"2024-01-0{user} 10:{position:02d}:00"))
    return rows


def build_store(path: Path, sequences: dict[int, list[int]]) -> engine.Store:
    """Create a store with the tiny catalogue and the given user sequences."""
    store = engine.open(path, create=True)
    with store.writer() as con:
        con.execute(
            "create or replace table items (item_id bigint primary key, title varchar)"
        )
        con.executemany(
            "insert into items values (?, ?)", [(i, f"item {i}") for i in TINY_ITEMS]
        )
        con.execute("create or replace table users (user_id bigint primary key)")
        con.executemany("insert into users values (?)", [(u,) for u in sequences])
        con.executemany(
            "insert into interactions (user_id, item_id, timestamp) "
            "values (?, ?, ?::timestamp)",
            tiny_rows(sequences),
        )
    return store


def sequence_data(sequences: dict[int, list[int]], item_count: int) -> InteractionData:
    """Build InteractionData whose users follow ``sequences`` in order."""
    users, items = [], []
    for user, sequence in sequences.items():
        users.extend([user] * len(sequence))
        items.extend(sequence)
    return InteractionData.from_arrays(
        user_ids=list(sequences),
        item_ids=np.arange(1, item_count + 1),
        interaction_users=users,
        interaction_items=items,
        timestamps=np.arange(len(users)),
    )
