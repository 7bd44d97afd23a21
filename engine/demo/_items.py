"""Items of the demo catalogue: titles, genres, actors, franchises and running times.

Items are built from title units: a unit is one standalone item, one Christmas item
or one franchise of two to four parts. Parts of a franchise share their genres,
format, channel and lead actors, and follow each other by a few years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from engine.demo import _vocabulary as vocab
from engine.demo._duplicates import plant_duplicates
from engine.demo._titles import draw_actor_names, draw_titles

# Share of base items that belong to a franchise, and part counts of a franchise.
_FRANCHISE_SHARE = 0.12
_PART_COUNTS = np.array([2, 3, 4])
_PART_COUNT_SHARE = np.array([0.4, 0.35, 0.25])
_CHRISTMAS_SHARE = 0.03

# Later parts start less popular: most of their viewers come from earlier parts.
_LATER_PART_POPULARITY = 0.3
_ZIPF_EXPONENT = 0.9
_LAST_YEAR = 2026
_FIRST_YEAR = 1960
# Films are at least this long, so a duplicate (running time +-2) stays a film.
_FILM_MIN_MINUTES = 82


@dataclass
class ItemTraits:
    """Hidden traits of the base items (duplicates excluded) that drive interactions.

    Row ``j`` of every array is the base item with ``item_id = j + 1``.
    """

    genre_weights: np.ndarray  # (base_count, genre_count) float64, rows sum to 1
    formats: np.ndarray  # (base_count,) index into vocab.FORMATS
    popularity: np.ndarray  # (base_count,) float64, sums to 1
    christmas: np.ndarray  # (base_count,) bool
    next_part: np.ndarray  # (base_count,) row of the next franchise part, or -1
    canonical_rows: np.ndarray  # (duplicate_count,) base row copied by each duplicate

    @property
    def base_count(self) -> int:
        return len(self.formats)


def build_items(
    rng: np.random.Generator, item_count: int, duplicate_share: float
) -> tuple[pa.Table, pa.Table, ItemTraits]:
    """Invent ``item_count`` items, some of them planted duplicates.

    Returns
    -------
    items : pyarrow.Table
        Base items with ids 1..base_count, then duplicates with the following ids.
    duplicates : pyarrow.Table
        ``canonical_item_id``, ``duplicate_item_id`` of each planted pair.
    traits : ItemTraits
        Hidden traits of the base items.
    """
    duplicate_count = round(item_count * duplicate_share)
    base_count = item_count - duplicate_count

    # Lay out the units, then shuffle the items so franchise parts get scattered ids.
    unit_parts, unit_christmas = _layout_units(rng, base_count)
    order = rng.permutation(base_count)
    unit_of_item = np.repeat(np.arange(len(unit_parts)), unit_parts)[order]
    part_of_item = _part_numbers(unit_parts)[order]

    unit_primary = _draw_primary_genres(rng, unit_christmas)
    unit_genres = _draw_genre_lists(rng, unit_primary)
    unit_formats = _draw_formats(rng, unit_primary)
    unit_channels = _draw_channels(rng, unit_primary)
    titles, franchises = _draw_item_titles(
        rng, unit_primary, unit_christmas, unit_parts, unit_of_item, part_of_item
    )

    columns = {
        "item_id": np.arange(1, base_count + 1, dtype=np.int64),
        "title": titles,
        "genres": [unit_genres[unit] for unit in unit_of_item],
        "running_time": _draw_running_times(
            rng, unit_primary, unit_formats, unit_of_item
        ),
        "actors": _draw_actors(rng, unit_primary, unit_of_item, part_of_item),
        "year": _draw_years(rng, unit_parts, unit_of_item, part_of_item),
        "franchise": franchises,
        "channel": [vocab.CHANNELS[unit_channels[unit]] for unit in unit_of_item],
        "christmas": unit_christmas[unit_of_item],
    }
    popularity = _draw_popularity(rng, unit_of_item, part_of_item)
    next_part = _next_parts(unit_of_item, part_of_item)

    # Copy popular items, so that both ids of every pair get interactions.
    candidate_count = min(base_count, max(3 * duplicate_count, base_count // 10))
    popular = np.argsort(-popularity, kind="stable")[:candidate_count]
    canonical_rows = rng.choice(popular, size=duplicate_count, replace=False)
    items, duplicates = plant_duplicates(rng, columns, canonical_rows)

    traits = ItemTraits(
        genre_weights=_genre_weights([unit_genres[unit] for unit in unit_of_item]),
        formats=unit_formats[unit_of_item],
        popularity=popularity,
        christmas=columns["christmas"],
        next_part=next_part,
        canonical_rows=canonical_rows,
    )
    return items, duplicates, traits


def _layout_units(
    rng: np.random.Generator, base_count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the part count and Christmas flag of each unit, franchises first."""
    mean_parts = float(_PART_COUNTS @ _PART_COUNT_SHARE)
    franchise_count = int(base_count * _FRANCHISE_SHARE / mean_parts)
    parts = rng.choice(_PART_COUNTS, size=franchise_count, p=_PART_COUNT_SHARE)
    parts = parts[np.cumsum(parts) <= base_count // 2]

    single_count = base_count - int(parts.sum())
    christmas_count = round(base_count * _CHRISTMAS_SHARE)
    unit_parts = np.concatenate([parts, np.ones(single_count, dtype=parts.dtype)])
    unit_christmas = np.zeros(len(unit_parts), dtype=bool)
    unit_christmas[len(parts) : len(parts) + christmas_count] = True
    return unit_parts, unit_christmas


def _part_numbers(unit_parts: np.ndarray) -> np.ndarray:
    """Return 1, 2, ... within each franchise and 0 for standalone items."""
    starts = np.repeat(np.cumsum(unit_parts) - unit_parts, unit_parts)
    numbers = np.arange(int(unit_parts.sum())) - starts + 1
    return np.where(np.repeat(unit_parts, unit_parts) > 1, numbers, 0)


def _draw_primary_genres(
    rng: np.random.Generator, unit_christmas: np.ndarray
) -> np.ndarray:
    share = np.array([vocab.PRIMARY_GENRE_SHARE[g] for g in vocab.GENRES])
    primary = rng.choice(len(vocab.GENRES), size=len(unit_christmas), p=share)

    christmas_genres = [vocab.GENRE_INDEX[g] for g in vocab.CHRISTMAS_GENRE_SHARE]
    christmas_share = list(vocab.CHRISTMAS_GENRE_SHARE.values())
    primary[unit_christmas] = rng.choice(
        christmas_genres, size=int(unit_christmas.sum()), p=christmas_share
    )
    return primary


def _draw_genre_lists(rng: np.random.Generator, primary: np.ndarray) -> list[list[str]]:
    """Add up to two companion genres to each first genre (1-3 genres in all)."""
    genre_count = len(vocab.GENRES)
    companion_weights = np.zeros((genre_count, genre_count))
    for genre, companions in vocab.COMPANION_GENRES.items():
        for rank, companion in enumerate(companions):
            companion_weights[
                vocab.GENRE_INDEX[genre], vocab.GENRE_INDEX[companion]
            ] = 1.0 / (rank + 1)

    # Gumbel top-k: sorting log-weight plus Gumbel noise samples without replacement.
    with np.errstate(divide="ignore"):
        keys = np.log(companion_weights[primary])
    keys = keys + rng.gumbel(size=keys.shape)
    companions = np.argsort(-keys, axis=1)[:, :2]
    extra_counts = rng.choice(3, size=len(primary), p=[0.4, 0.4, 0.2])

    return [
        [vocab.GENRES[first]] + [vocab.GENRES[g] for g in companions[unit, :extra]]
        for unit, (first, extra) in enumerate(zip(primary, extra_counts))
    ]


def _draw_formats(rng: np.random.Generator, primary: np.ndarray) -> np.ndarray:
    share = np.array([vocab.FORMAT_SHARE[g] for g in vocab.GENRES])[primary]
    draws = rng.random(len(primary))[:, None]
    return (draws > np.cumsum(share, axis=1)).sum(axis=1).clip(0, 2)


def _draw_channels(rng: np.random.Generator, primary: np.ndarray) -> np.ndarray:
    """Draw a channel per unit: a channel of its first genre three times in four."""
    channel_count = len(vocab.CHANNELS)
    share = np.full((len(vocab.GENRES), channel_count), 0.25 / channel_count)
    for genre_index, genre in enumerate(vocab.GENRES):
        homes = [
            c
            for c, genres in enumerate(vocab.CHANNEL_GENRES.values())
            if genre in genres
        ]
        share[genre_index, homes] += 0.75 / len(homes)

    cumulative = np.cumsum(share[primary], axis=1)
    draws = rng.random(len(primary))[:, None] * cumulative[:, -1:]
    return (draws > cumulative).sum(axis=1)


def _draw_item_titles(
    rng: np.random.Generator,
    unit_primary: np.ndarray,
    unit_christmas: np.ndarray,
    unit_parts: np.ndarray,
    unit_of_item: np.ndarray,
    part_of_item: np.ndarray,
) -> tuple[list[str], list[str | None]]:
    """Title each item; franchise parts are "<franchise> Part <n>"."""
    unit_titles = draw_titles(rng, unit_primary, unit_christmas)
    titles = []
    franchises = []
    for unit, part in zip(unit_of_item, part_of_item):
        if unit_parts[unit] > 1:
            titles.append(f"{unit_titles[unit]} Part {part}")
            franchises.append(unit_titles[unit])
        else:
            titles.append(unit_titles[unit])
            franchises.append(None)
    return titles, franchises


def _draw_running_times(
    rng: np.random.Generator,
    unit_primary: np.ndarray,
    unit_formats: np.ndarray,
    unit_of_item: np.ndarray,
) -> np.ndarray:
    """Draw minutes per item: shorts 6-24, episodes 20-65, films 82-185."""
    episode_mean = np.array(
        [
            vocab.EPISODE_MINUTES.get(g, vocab.EPISODE_MINUTES_DEFAULT)
            for g in vocab.GENRES
        ]
    )
    film_mean = np.array([vocab.FILM_MINUTES[g] for g in vocab.GENRES])

    # Parts of a franchise run about as long as each other.
    unit_episode = rng.normal(episode_mean[unit_primary], 4.0)
    unit_film = rng.normal(film_mean[unit_primary], 14.0)
    item_count = len(unit_of_item)
    short = rng.integers(6, 25, size=item_count)
    episode = (unit_episode[unit_of_item] + rng.normal(0, 2.0, item_count)).clip(20, 65)
    film = (unit_film[unit_of_item] + rng.normal(0, 6.0, item_count)).clip(
        _FILM_MIN_MINUTES, 185
    )

    formats = unit_formats[unit_of_item]
    minutes = np.select([formats == 0, formats == 1], [short, episode], film)
    return np.rint(minutes).astype(np.int32)


def _draw_actors(
    rng: np.random.Generator,
    unit_primary: np.ndarray,
    unit_of_item: np.ndarray,
    part_of_item: np.ndarray,
) -> list[list[str]]:
    """Cast 2-5 actors per item, mostly actors of the item's first genre."""
    item_count = len(unit_of_item)
    actor_count = int(np.clip(item_count // 7, 30, 500))
    names = draw_actor_names(rng, actor_count)
    home_genre = rng.permutation(np.arange(actor_count) % len(vocab.GENRES))
    fame = rng.normal(0.0, 0.7, actor_count)

    # Gumbel top-5 over log weights; an actor outside the genre weighs 1/50.
    primary = unit_primary[unit_of_item]
    same_genre = home_genre[None, :] == primary[:, None]
    keys = fame[None, :] + np.where(same_genre, 0.0, np.log(0.02))
    keys = keys + rng.gumbel(size=keys.shape)
    cast = np.argsort(-keys, axis=1)[:, :5]
    cast_sizes = rng.integers(2, 6, size=item_count)

    # Later parts of a franchise keep the two lead actors of part 1.
    first_part = {
        unit: row
        for row, (unit, part) in enumerate(zip(unit_of_item, part_of_item))
        if part == 1
    }
    lists = []
    for row, unit in enumerate(unit_of_item):
        chosen = list(cast[row])
        if part_of_item[row] > 1:
            leads = list(cast[first_part[unit], :2])
            chosen = leads + [actor for actor in chosen if actor not in leads]
        lists.append([names[actor] for actor in chosen[: cast_sizes[row]]])
    return lists


def _draw_years(
    rng: np.random.Generator,
    unit_parts: np.ndarray,
    unit_of_item: np.ndarray,
    part_of_item: np.ndarray,
) -> np.ndarray:
    """Draw release years, recent ones more often; parts follow by 1-3 years."""
    unit_count = len(unit_parts)

    # Column k is the gap between parts k + 1 and k + 2; a unit of n parts uses n - 1.
    used = np.arange(3) < unit_parts[:, None] - 1
    gaps = rng.integers(1, 4, size=(unit_count, 3)) * used
    offsets = np.hstack([np.zeros((unit_count, 1), dtype=np.int64), np.cumsum(gaps, 1)])
    age = np.floor(rng.exponential(8.0, unit_count)).astype(np.int64)
    first_year = np.maximum(_LAST_YEAR - offsets[:, -1] - age, _FIRST_YEAR)

    part_index = np.maximum(part_of_item - 1, 0)
    years = first_year[unit_of_item] + offsets[unit_of_item, part_index]
    return years.astype(np.int32)


def _draw_popularity(
    rng: np.random.Generator, unit_of_item: np.ndarray, part_of_item: np.ndarray
) -> np.ndarray:
    """Draw Zipf-like popularity from a random rank; later parts start lower."""
    rank = rng.permutation(len(unit_of_item)) + 1
    popularity = rank.astype(np.float64) ** -_ZIPF_EXPONENT

    # Part n > 1 takes part 1's popularity times 0.3 ** (n - 1).
    first_popularity = np.zeros(int(unit_of_item.max()) + 1)
    is_first = part_of_item == 1
    first_popularity[unit_of_item[is_first]] = popularity[is_first]
    later = part_of_item > 1
    decay = _LATER_PART_POPULARITY ** (part_of_item[later] - 1)
    popularity[later] = first_popularity[unit_of_item[later]] * decay
    return popularity / popularity.sum()


def _next_parts(unit_of_item: np.ndarray, part_of_item: np.ndarray) -> np.ndarray:
    """Return the row of part n + 1 of the same franchise, or -1."""
    row_of_part = {
        (unit, part): row
        for row, (unit, part) in enumerate(zip(unit_of_item, part_of_item))
        if part > 0
    }
    return np.array(
        [
            row_of_part.get((unit, part + 1), -1) if part > 0 else -1
            for unit, part in zip(unit_of_item, part_of_item)
        ],
        dtype=np.int64,
    )


def _genre_weights(genre_lists: list[list[str]]) -> np.ndarray:
    """Weigh the first genre 1 and each companion 0.5, then scale rows to sum 1."""
    weights = np.zeros((len(genre_lists), len(vocab.GENRES)))
    for row, genres in enumerate(genre_lists):
        for position, genre in enumerate(genres):
            weights[row, vocab.GENRE_INDEX[genre]] = 1.0 if position == 0 else 0.5
    return weights / weights.sum(axis=1, keepdims=True)
