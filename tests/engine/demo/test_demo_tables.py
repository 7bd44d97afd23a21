"""Shape of the demo tables: determinism, schemas, sizes, ids and planted duplicates."""

from __future__ import annotations

import doctest
import re
from datetime import datetime, timezone

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import engine.demo._generate
from engine.demo import generate_demo, write_demo_files

SMALL = {"user_count": 60, "item_count": 150, "interaction_count": 1500}
GENRES = {
    "Action",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Horror",
    "Music",
    "Romance",
    "Sci-Fi",
    "Thriller",
}
TABLES = ("items", "users", "interactions", "duplicates", "shared_profiles")


def _columns(table: pa.Table) -> list[tuple[str, pa.DataType]]:
    return [(field.name, field.type) for field in table.schema]


def _normalised(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def test_same_seed_same_tables(seed):
    first = generate_demo(seed=seed, **SMALL)
    second = generate_demo(seed=seed, **SMALL)

    for name in TABLES:
        assert getattr(first, name).equals(getattr(second, name)), name


def test_other_seed_other_tables(seed):
    first = generate_demo(seed=seed, **SMALL)
    second = generate_demo(seed=seed + 1, **SMALL)

    assert not first.items.equals(second.items)
    assert not first.users.equals(second.users)
    assert not first.interactions.equals(second.interactions)


def test_item_schema(demo):
    assert _columns(demo.items) == [
        ("item_id", pa.int64()),
        ("title", pa.string()),
        ("genres", pa.list_(pa.string())),
        ("running_time", pa.int32()),
        ("actors", pa.list_(pa.string())),
        ("year", pa.int32()),
        ("franchise", pa.string()),
        ("channel", pa.string()),
        ("christmas", pa.bool_()),
    ]


def test_user_schema(demo):
    assert _columns(demo.users) == [
        ("user_id", pa.int64()),
        ("gender", pa.string()),
        ("age", pa.int32()),
        ("device", pa.string()),
    ]


def test_interaction_schema(demo):
    assert _columns(demo.interactions) == [
        ("user_id", pa.int64()),
        ("item_id", pa.int64()),
        ("timestamp", pa.timestamp("s", tz="UTC")),
        ("weight", pa.float64()),
        ("device", pa.string()),
    ]


def test_duplicate_schema(demo):
    assert _columns(demo.duplicates) == [
        ("canonical_item_id", pa.int64()),
        ("duplicate_item_id", pa.int64()),
    ]
    assert _columns(demo.shared_profiles) == [("user_id", pa.int64())]


def test_default_sizes(demo):
    assert demo.users.num_rows == 1000
    assert demo.items.num_rows == 2000
    assert 40_000 <= demo.interactions.num_rows <= 80_000


def test_small_sizes(seed):
    demo = generate_demo(seed=seed, **SMALL)

    assert demo.users.num_rows == 60
    assert demo.items.num_rows == 150
    assert 1200 <= demo.interactions.num_rows <= 1800


def test_ids_unique(demo):
    item_ids = demo.items.column("item_id").to_numpy()
    user_ids = demo.users.column("user_id").to_numpy()

    assert len(np.unique(item_ids)) == len(item_ids)
    assert len(np.unique(user_ids)) == len(user_ids)


def test_interactions_name_known_ids(con):
    unknown_items = con.execute(
        "select count(*) from interactions anti join items using (item_id)"
    ).fetchone()[0]
    unknown_users = con.execute(
        "select count(*) from interactions anti join users using (user_id)"
    ).fetchone()[0]

    assert unknown_items == 0
    assert unknown_users == 0


def test_every_user_interacts(con):
    idle = con.execute(
        "select count(*) from users anti join interactions using (user_id)"
    ).fetchone()[0]

    assert idle == 0


def test_one_interaction_per_pair(con):
    pairs, rows = con.execute(
        "select count(distinct (user_id, item_id)), count(*) from interactions"
    ).fetchone()

    assert pairs == rows


def test_interactions_sorted_by_time(demo):
    seconds = demo.interactions.column("timestamp").cast(pa.int64()).to_numpy()

    assert np.all(np.diff(seconds) >= 0)


def test_timestamps_span_months(demo):
    timestamps = demo.interactions.column("timestamp").to_pylist()

    assert min(timestamps) >= datetime(2026, 9, 1, tzinfo=timezone.utc)
    assert max(timestamps) < datetime(2027, 1, 1, tzinfo=timezone.utc)
    assert (max(timestamps) - min(timestamps)).days >= 90


def test_weights_are_watched_shares(demo):
    weights = demo.interactions.column("weight").to_numpy()

    assert weights.min() >= 0.05
    assert weights.max() <= 1.0


def test_devices_known(con):
    user_devices = con.execute("select distinct device from users").fetchall()
    interaction_devices = con.execute(
        "select distinct device from interactions"
    ).fetchall()

    assert {row[0] for row in user_devices} == {"tv", "mobile", "web", "tablet"}
    assert {row[0] for row in interaction_devices} == {"tv", "mobile", "web", "tablet"}


def test_user_demographics(con):
    genders = con.execute("select distinct gender from users").fetchall()
    youngest, oldest = con.execute("select min(age), max(age) from users").fetchone()

    assert {row[0] for row in genders} == {"F", "M"}
    assert 10 <= youngest < 16
    assert 60 < oldest <= 80


def test_genres_one_to_three(demo):
    genre_lists = demo.items.column("genres").to_pylist()

    assert all(1 <= len(genres) <= 3 for genres in genre_lists)
    assert all(len(set(genres)) == len(genres) for genres in genre_lists)
    assert {genre for genres in genre_lists for genre in genres} == GENRES


def test_actors_two_to_five(demo):
    casts = demo.items.column("actors").to_pylist()
    pool = {actor for cast in casts for actor in cast}

    assert all(2 <= len(cast) <= 5 for cast in casts)
    assert all(len(set(cast)) == len(cast) for cast in casts)
    assert 150 <= len(pool) <= 600


def test_running_time_by_format(con):
    cartoon, episode_share, film = con.execute(
        """
        select
            median(running_time) filter (where genres[1] = 'Animation'),
            avg((running_time between 20 and 65)::int),
            median(running_time) filter (where genres[1] in ('Drama', 'Action'))
        from items
        """
    ).fetchone()

    assert cartoon <= 25
    assert episode_share >= 0.15
    assert film >= 82


def test_channels_follow_genre(con):
    channel_count = con.execute("select count(distinct channel) from items").fetchone()[
        0
    ]
    kids_share = con.execute(
        """
        select avg((channel = 'Pebble Kids')::int)
        from items
        where genres[1] = 'Animation'
        """
    ).fetchone()[0]

    assert 8 <= channel_count <= 12
    assert kids_share >= 0.5


def test_christmas_items_themed(con):
    share = con.execute("select avg(christmas::int) from items").fetchone()[0]
    titles = con.execute("select title from items where christmas").fetchall()
    other_titles = con.execute("select title from items where not christmas").fetchall()
    theme = re.compile(r"christmas|december|snow|sleigh|twelve nights", re.IGNORECASE)

    assert 0.01 <= share <= 0.06
    assert all(theme.search(title) for (title,) in titles)
    assert not any(theme.search(title) for (title,) in other_titles)


def test_franchise_parts_numbered(con):
    parts = con.execute(
        """
        select i.franchise,
               list(
                   regexp_extract(i.title, ' Part (\\d)$', 1)::int
                   order by i.year, i.title
               )
        from items as i
        join canonical as c on c.item_id = i.item_id and c.canonical_id = i.item_id
        where i.franchise is not null
        group by i.franchise
        """
    ).fetchall()

    assert len(parts) >= 20
    assert all(2 <= len(numbers) <= 4 for _, numbers in parts)
    assert all(numbers == list(range(1, len(numbers) + 1)) for _, numbers in parts)


def test_duplicates_one_to_two_percent(demo):
    share = demo.duplicates.num_rows / demo.items.num_rows

    assert 0.01 <= share <= 0.02


def test_duplicate_ids_are_new(demo):
    canonical = set(demo.duplicates.column("canonical_item_id").to_pylist())
    duplicate = set(demo.duplicates.column("duplicate_item_id").to_pylist())
    item_ids = set(demo.items.column("item_id").to_pylist())

    assert not canonical & duplicate
    assert canonical <= item_ids
    assert duplicate <= item_ids
    assert len(duplicate) == demo.duplicates.num_rows


def test_duplicates_slightly_differ(con):
    pairs = con.execute(
        """
        select a.title, b.title, a.running_time, b.running_time, a.actors, b.actors,
               a.year = b.year, a.genres = b.genres,
               a.franchise is not distinct from b.franchise
        from duplicates as d
        join items as a on a.item_id = d.canonical_item_id
        join items as b on b.item_id = d.duplicate_item_id
        """
    ).fetchall()

    for title, copy_title, minutes, copy_minutes, actors, copy_actors, *same in pairs:
        assert title != copy_title
        assert _normalised(title) == _normalised(copy_title)
        assert 1 <= abs(minutes - copy_minutes) <= 2
        assert copy_actors != actors
        assert set(copy_actors) <= set(actors)
        assert len(actors) - len(copy_actors) <= 1
        assert all(same), title


def test_duplicates_interactions_both_ids(con):
    empty_sides = con.execute(
        """
        select count(*)
        from duplicates as d
        where not exists (
                select 1 from interactions as i where i.item_id = d.canonical_item_id
            )
            or not exists (
                select 1 from interactions as i where i.item_id = d.duplicate_item_id
            )
        """
    ).fetchone()[0]

    assert empty_sides == 0


def test_shared_profiles_are_users(con):
    count, known = con.execute(
        """
        select count(*), count(u.user_id)
        from shared_profiles as s
        left join users as u using (user_id)
        """
    ).fetchone()

    assert 50 <= count <= 300
    assert known == count


def test_write_demo_files(tmp_path, seed):
    paths = write_demo_files(tmp_path / "demo", seed=seed, **SMALL)
    demo = generate_demo(seed=seed, **SMALL)

    assert set(paths) == {"items", "users", "interactions"}
    for name, path in paths.items():
        assert path == tmp_path / "demo" / f"{name}.parquet"
        # Parquet has no second unit, so timestamps come back in milliseconds.
        table = getattr(demo, name)
        assert pq.read_table(path).cast(table.schema).equals(table), name


def test_demo_files_read_by_duckdb(tmp_path, seed):
    paths = write_demo_files(tmp_path, seed=seed, **SMALL)

    con = duckdb.connect()
    rows = con.execute(
        "select column_name, column_type from (describe select * from read_parquet(?))",
        [str(paths["items"])],
    ).fetchall()
    types = dict(rows)

    assert types["genres"] == "VARCHAR[]"
    assert types["actors"] == "VARCHAR[]"
    assert types["running_time"] == "INTEGER"
    assert types["christmas"] == "BOOLEAN"


def test_docstring_example_runs():
    results = doctest.testmod(engine.demo._generate)

    assert results.attempted >= 2
    assert results.failed == 0


@pytest.mark.parametrize(
    "settings",
    [
        {"user_count": 0},
        {"item_count": 5},
        {"item_count": 1_000_000},
        {"interaction_count": 100},
        {"day_count": 3},
        {"duplicate_share": 0.5},
        {"shared_profile_share": -0.1},
        {"seed": -1},
    ],
)
def test_invalid_settings_rejected(settings):
    with pytest.raises(ValueError, match="invalid"):
        generate_demo(**settings)


@pytest.mark.parametrize(
    "settings",
    [{"user_count": 10.5}, {"item_count": True}, {"duplicate_share": "0.1"}],
)
def test_wrong_types_rejected(settings):
    with pytest.raises(TypeError, match="invalid"):
        generate_demo(**settings)
