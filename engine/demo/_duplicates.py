"""Planted duplicates: copies of items under new ids with slightly changed metadata.

A duplicate keeps the year, genres, franchise, channel and Christmas flag of its
canonical item. Its title differs in case or punctuation only, its running time by
one or two minutes, and its cast by one dropped actor or a swapped order.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

ITEM_SCHEMA = pa.schema(
    [
        pa.field("item_id", pa.int64(), nullable=False),
        pa.field("title", pa.string(), nullable=False),
        pa.field("genres", pa.list_(pa.string()), nullable=False),
        pa.field("running_time", pa.int32(), nullable=False),
        pa.field("actors", pa.list_(pa.string()), nullable=False),
        pa.field("year", pa.int32(), nullable=False),
        pa.field("franchise", pa.string()),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("christmas", pa.bool_(), nullable=False),
    ]
)

DUPLICATE_SCHEMA = pa.schema(
    [
        pa.field("canonical_item_id", pa.int64(), nullable=False),
        pa.field("duplicate_item_id", pa.int64(), nullable=False),
    ]
)


def plant_duplicates(
    rng: np.random.Generator, columns: dict, canonical_rows: np.ndarray
) -> tuple[pa.Table, pa.Table]:
    """Append one altered copy of each canonical row to the item columns.

    Parameters
    ----------
    columns : dict
        Base item columns named as in ``ITEM_SCHEMA``, row ``j`` with id ``j + 1``.
    canonical_rows : ndarray of int
        Rows to copy. The copies get the ids after the last base id, in this order.

    Returns
    -------
    items, duplicates : pyarrow.Table
        All items, and the ``(canonical_item_id, duplicate_item_id)`` pairs.
    """
    base_count = len(columns["item_id"])
    copies = {name: list(values) for name, values in columns.items()}
    duplicate_ids = np.arange(base_count + 1, base_count + 1 + len(canonical_rows))

    for duplicate_id, row in zip(duplicate_ids, canonical_rows):
        copies["item_id"].append(duplicate_id)
        copies["title"].append(_alter_title(rng, columns["title"][row]))
        copies["running_time"].append(
            _alter_running_time(rng, columns["running_time"][row])
        )
        copies["actors"].append(_alter_actors(rng, columns["actors"][row]))
        for name in ("genres", "year", "franchise", "channel", "christmas"):
            copies[name].append(columns[name][row])

    items = pa.table(
        {name: copies[name] for name in ITEM_SCHEMA.names}, schema=ITEM_SCHEMA
    )
    duplicates = pa.table(
        {
            "canonical_item_id": columns["item_id"][canonical_rows],
            "duplicate_item_id": duplicate_ids,
        },
        schema=DUPLICATE_SCHEMA,
    )
    return items, duplicates


def _alter_title(rng: np.random.Generator, title: str) -> str:
    """Change case or punctuation of ``title``, never its letters or word order."""
    changes = [str.upper, str.lower, lambda t: t + ".", lambda t: t + "!"]
    if "'" in title:
        changes.append(lambda t: t.replace("'", ""))
    if "-" in title:
        changes.append(lambda t: t.replace("-", " "))
    if " Part " in title:
        changes.append(lambda t: t.replace(" Part ", ": Part "))

    # One change, and a second one now and then.
    picks = rng.choice(len(changes), size=2, replace=False)
    altered = changes[picks[0]](title)
    if rng.random() < 0.3:
        altered = changes[picks[1]](altered)
    return altered if altered != title else title.upper() + "."


def _alter_running_time(rng: np.random.Generator, minutes: int) -> int:
    return int(minutes) + int(rng.choice([-2, -1, 1, 2]))


def _alter_actors(rng: np.random.Generator, actors: list[str]) -> list[str]:
    """Drop one actor of a cast of three or more, or else swap two actors."""
    if len(actors) >= 3 and rng.random() < 0.5:
        dropped = int(rng.integers(len(actors)))
        return [actor for position, actor in enumerate(actors) if position != dropped]
    first, second = rng.choice(len(actors), size=2, replace=False)
    swapped = list(actors)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    return swapped
