"""Fixtures of the demo tests: one generated catalogue per seed, and SQL over it."""

from __future__ import annotations

import functools

import duckdb
import pytest

from engine.demo import DemoCatalog, generate_demo


@functools.lru_cache(maxsize=2)
def _generate(seed: int) -> DemoCatalog:
    # Generating takes about a second, and pyarrow tables are immutable, so tests
    # share one catalogue per seed.
    return generate_demo(seed=seed)


@pytest.fixture
def demo(seed: int) -> DemoCatalog:
    """The demo catalogue at its default sizes."""
    return _generate(seed)


@pytest.fixture
def con(demo: DemoCatalog):
    """DuckDB connection with the demo tables and two views, clock in UTC."""
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    for name in ("items", "users", "interactions", "duplicates", "shared_profiles"):
        connection.register(name, getattr(demo, name))

    # Map every item to its canonical id, so a duplicate counts as its original.
    connection.execute(
        """
        create view canonical as
        select i.item_id, coalesce(d.canonical_item_id, i.item_id) as canonical_id
        from items as i
        left join duplicates as d on d.duplicate_item_id = i.item_id
        """
    )

    # Interactions with their item's metadata, and the ISO weekday and hour (UTC is
    # the demo's local time) of each interaction.
    connection.execute(
        """
        create view watches as
        select
            i.user_id,
            i.item_id,
            i.timestamp,
            i.device,
            extract(isodow from i.timestamp) as weekday,
            extract(hour from i.timestamp) as hour,
            it.genres,
            it.running_time,
            it.christmas
        from interactions as i
        join items as it using (item_id)
        """
    )
    yield connection
    connection.close()
