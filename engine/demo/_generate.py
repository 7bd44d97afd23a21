"""The public entry points of the demo: generate the catalogue, or write it to files."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from engine.demo._interactions import build_interactions
from engine.demo._items import build_items
from engine.demo._users import build_users

_log = logging.getLogger(__name__)

# Upper bounds keep titles unique and a generation within about a minute: cost grows
# with users x items (2,000 x 20,000 took 13 s on two cores, 1,000 x 2,000 about 1 s).
_MAX_USER_COUNT = 100_000
_MAX_ITEM_COUNT = 20_000
_MIN_INTERACTIONS_PER_USER = 5


@dataclass(frozen=True)
class DemoCatalog:
    """Invented tables of the built-in demo, plus the ground truth planted in them.

    Attributes
    ----------
    items : pyarrow.Table
        ``item_id`` int64, ``title`` string, ``genres`` list<string> (1-3),
        ``running_time`` int32 (minutes), ``actors`` list<string> (2-5), ``year``
        int32, ``franchise`` string or null, ``channel`` string, ``christmas`` bool.
    users : pyarrow.Table
        ``user_id`` int64, ``gender`` string (F or M), ``age`` int32, ``device``
        string (the usual device: tv, mobile, web or tablet).
    interactions : pyarrow.Table
        ``user_id`` int64, ``item_id`` int64, ``timestamp`` timestamp[s, UTC],
        ``weight`` float64 (share of the running time watched, 0.05-1), ``device``
        string. Rows are sorted by timestamp, with one row per (user, item) pair.
        The hours are the viewers' local time, written as UTC: set the DuckDB
        ``TimeZone`` to UTC before casting them to a plain ``timestamp``.
    duplicates : pyarrow.Table
        ``canonical_item_id``, ``duplicate_item_id`` int64: each planted duplicate,
        a copy of its canonical item with slightly changed metadata.
    shared_profiles : pyarrow.Table
        ``user_id`` int64 of the household accounts, whose taste depends on the time.
    """

    items: pa.Table
    users: pa.Table
    interactions: pa.Table
    duplicates: pa.Table
    shared_profiles: pa.Table


def generate_demo(
    *,
    seed: int = 0,
    user_count: int = 1000,
    item_count: int = 2000,
    interaction_count: int = 60_000,
    day_count: int = 122,
    duplicate_share: float = 0.015,
    shared_profile_share: float = 0.15,
) -> DemoCatalog:
    """Invent a small video catalogue with users and their viewing history.

    The tables feed the ingest stage like any other data source. Everything is
    drawn from ``numpy.random.default_rng(seed)``, so one seed always gives the
    same tables. Interactions start on 2026-09-01 (UTC) and carry patterns for the
    models to find. Popularity is skewed, genre tastes depend on age and gender,
    and franchise parts are watched in order. Cartoons peak on weekend mornings,
    films on Friday and Saturday evenings, and Christmas titles in December.
    Household accounts switch taste with the time, and devices follow the hour.

    Parameters
    ----------
    seed : int, default=0
        Seed of the random generator.
    user_count : int, default=1000
        Number of users, from 1 to 100,000.
    item_count : int, default=2000
        Number of items including planted duplicates, from 10 to 20,000.
    interaction_count : int, default=60_000
        Target number of interactions, at least 5 per user. The result lands
        near it (within 2% at the default sizes) but not on it: each user gets
        from 3 to ``item_count // 3`` interactions with distinct items, and
        franchise continuations are added after the draw. Small catalogues and
        narrow tastes can leave it 20% short.
    day_count : int, default=122
        Days covered by the interactions, from 7 to 365 (122 ends on 2026-12-31).
    duplicate_share : float, default=0.015
        Share of ``item_count`` that are planted duplicates, from 0 to 0.2.
    shared_profile_share : float, default=0.15
        Share of users that are household accounts, from 0 to 1.

    Returns
    -------
    DemoCatalog

    Raises
    ------
    TypeError
        If a count or the seed is not an integer.
    ValueError
        If a setting is out of its range.

    Examples
    --------
    >>> demo = generate_demo(seed=1, user_count=50, item_count=100,
    ...                      interaction_count=1000)
    >>> demo.users.num_rows, demo.items.num_rows
    (50, 100)
    """
    _check_settings(
        seed,
        user_count,
        item_count,
        interaction_count,
        day_count,
        duplicate_share,
        shared_profile_share,
    )
    started = time.perf_counter()
    rng = np.random.default_rng(seed)

    items, duplicates, item_traits = build_items(rng, item_count, duplicate_share)
    users, user_traits = build_users(rng, user_count, shared_profile_share)
    interactions = build_interactions(
        rng, user_traits, item_traits, interaction_count, day_count
    )
    shared_ids = users.column("user_id").to_numpy()[user_traits.shared]
    shared_profiles = pa.table({"user_id": pa.array(shared_ids, type=pa.int64())})

    _log.info(
        "demo catalogue: %d users, %d items (%d duplicates), %d interactions in %.2fs",
        users.num_rows,
        items.num_rows,
        duplicates.num_rows,
        interactions.num_rows,
        time.perf_counter() - started,
    )
    return DemoCatalog(items, users, interactions, duplicates, shared_profiles)


def write_demo_files(
    directory: str | Path, *, seed: int = 0, **settings
) -> dict[str, Path]:
    """Generate the demo and write items, users and interactions as Parquet files.

    Parameters
    ----------
    directory : str or Path
        Folder for ``items.parquet``, ``users.parquet`` and ``interactions.parquet``,
        created if missing. Existing files of those names are replaced. Parquet
        has no second unit, so timestamps are stored in milliseconds.
    seed : int, default=0
        Seed of the random generator.
    **settings
        Other keyword arguments of :func:`generate_demo`, such as ``user_count``.

    Returns
    -------
    dict of str to Path
        The path of each file, keyed ``items``, ``users`` and ``interactions``.
    """
    demo = generate_demo(seed=seed, **settings)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)

    paths = {}
    for name in ("items", "users", "interactions"):
        path = directory / f"{name}.parquet"
        pq.write_table(getattr(demo, name), path)
        paths[name] = path
    _log.info("wrote demo files to %s", directory)
    return paths


def _check_settings(
    seed,
    user_count,
    item_count,
    interaction_count,
    day_count,
    duplicate_share,
    shared_profile_share,
) -> None:
    _check_integer("seed", seed, 0, None)
    _check_integer("user_count", user_count, 1, _MAX_USER_COUNT)
    _check_integer("item_count", item_count, 10, _MAX_ITEM_COUNT)
    _check_integer("day_count", day_count, 7, 365)
    _check_integer("interaction_count", interaction_count, 1, None)
    minimum = _MIN_INTERACTIONS_PER_USER * user_count
    if interaction_count < minimum:
        raise ValueError(
            f"invalid interaction_count: {interaction_count}, expected at least "
            f"{_MIN_INTERACTIONS_PER_USER} per user ({minimum} for {user_count} users)"
        )
    _check_share("duplicate_share", duplicate_share, 0.2)
    _check_share("shared_profile_share", shared_profile_share, 1.0)


def _check_integer(name: str, value, minimum: int, maximum: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"invalid {name}: {value!r}, expected an integer")
    if value < minimum or (maximum is not None and value > maximum):
        expected = (
            f"an integer of at least {minimum}"
            if maximum is None
            else f"an integer from {minimum} to {maximum:,}"
        )
        raise ValueError(f"invalid {name}: {value}, expected {expected}")


def _check_share(name: str, value, maximum: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"invalid {name}: {value!r}, expected a number")
    if not 0.0 <= value <= maximum:
        raise ValueError(
            f"invalid {name}: {value}, expected a number from 0 to {maximum}"
        )
