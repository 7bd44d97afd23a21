"""Interactions of the demo: who watched which item when, on which device.

Each interaction first gets a user and a time. Its item is then drawn with chance
proportional to popularity x taste x slot factor x season factor, where a shared
profile mixes its child and adult tastes by slot. Watching part n of a franchise
often leads to part n + 1 a few days later. Last, the interactions of each
duplicated item are split between its two ids.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from engine.demo import _calendar as calendar
from engine.demo._items import ItemTraits
from engine.demo._users import DEVICES, UserTraits

INTERACTION_SCHEMA = pa.schema(
    [
        pa.field("user_id", pa.int64(), nullable=False),
        pa.field("item_id", pa.int64(), nullable=False),
        pa.field("timestamp", pa.timestamp("s", tz="UTC"), nullable=False),
        pa.field("weight", pa.float64(), nullable=False),
        pa.field("device", pa.string(), nullable=False),
    ]
)

# Users draw this many times their target, because repeated items are dropped,
# and draw again for what is still missing, up to _DRAW_ROUNDS times in all.
_OVERSAMPLING = 1.3
_DRAW_ROUNDS = 3
_ACTIVITY_SIGMA = 0.9
_MIN_ACTIVITY = 3
# Franchise continuations add about this share on top of the drawn interactions.
_CONTINUATION_ALLOWANCE = 0.05
# Keeps every item reachable for every taste.
_TASTE_FLOOR = 0.01
# Christmas items outside and inside December.
_CHRISTMAS_FACTOR = (0.3, 5.0)
# Chance that the child is watching a shared profile, per slot in calendar order:
# weekend morning, Friday or Saturday evening, commute, evening, daytime, night.
_CHILD_SHARE_BY_SLOT = np.array([0.85, 0.05, 0.3, 0.25, 0.5, 0.02])
_CONTINUATION_CHANCE = 0.6
_CONTINUATION_MEAN_DAYS = 3.0
# Cells of one user x item chance matrix (float64), which bounds memory to 32 MB.
_MATRIX_CELLS = 4_000_000


def build_interactions(
    rng: np.random.Generator,
    users: UserTraits,
    items: ItemTraits,
    interaction_count: int,
    day_count: int,
) -> pa.Table:
    """Draw about ``interaction_count`` interactions, sorted by timestamp."""
    activity = _draw_activity(
        rng, len(users.shared), interaction_count, items.base_count
    )

    draws = _draw_distinct(rng, users, items, activity, day_count)
    draws = _continue_franchises(rng, draws, items.next_part, day_count)
    seconds = calendar.draw_unix_seconds(rng, draws["day"], draws["hour"])
    earliest = _earliest_pairs(draws["user"], draws["item"], seconds, items.base_count)
    draws = {name: values[earliest] for name, values in draws.items()}
    seconds = seconds[earliest]

    slot = calendar.assign_slots(draws["day"], draws["hour"])
    devices = calendar.draw_devices(rng, slot, users.devices[draws["user"]])
    # Weight: share of the running time watched, higher for items the user likes.
    weight = rng.beta(2.0 + 4.0 * draws["affinity"], 1.5).clip(0.05, 1.0).round(3)
    item_ids = _split_duplicates(rng, draws["item"], items)

    order = np.lexsort((item_ids, draws["user"], seconds))
    return pa.table(
        {
            "user_id": draws["user"][order] + 1,
            "item_id": item_ids[order],
            "timestamp": pa.array(seconds[order], type=pa.timestamp("s", tz="UTC")),
            "weight": weight[order],
            "device": np.array(DEVICES)[devices[order]].tolist(),
        },
        schema=INTERACTION_SCHEMA,
    )


def _draw_activity(
    rng: np.random.Generator, user_count: int, interaction_count: int, item_count: int
) -> np.ndarray:
    """Draw a log-normal interaction count per user that sums to about the target.

    Counts lie between _MIN_ACTIVITY and a third of the items. The scale is refitted
    a few times, so clipping costs little of the total.
    """
    raw = rng.lognormal(0.0, _ACTIVITY_SIGMA, user_count)
    target = interaction_count / (1 + _CONTINUATION_ALLOWANCE)
    upper = max(_MIN_ACTIVITY, item_count // 3)
    scale = target / raw.sum()
    for _ in range(5):
        activity = np.rint(raw * scale).clip(_MIN_ACTIVITY, upper)
        scale *= target / activity.sum()
    return activity.astype(np.int64)


def _draw_distinct(
    rng: np.random.Generator,
    users: UserTraits,
    items: ItemTraits,
    activity: np.ndarray,
    day_count: int,
) -> dict[str, np.ndarray]:
    """Draw up to ``activity[u]`` interactions with distinct items for each user u.

    A user whose taste covers fewer items than their activity may end up short.
    """
    draw_counts = np.ceil(activity * _OVERSAMPLING).astype(np.int64)
    draws = {
        name: np.empty(0, dtype=np.int64) for name in ("user", "item", "day", "hour")
    }
    draws["affinity"] = np.empty(0)
    for _ in range(_DRAW_ROUNDS):
        # Draw users and times, then items given both.
        user_rows = np.repeat(np.arange(len(activity)), draw_counts)
        days, hours = calendar.draw_times(rng, len(user_rows), day_count)
        item_rows, affinity = _draw_items(rng, users, items, user_rows, days, hours)
        new = {
            "user": user_rows,
            "item": item_rows,
            "day": days,
            "hour": hours,
            "affinity": affinity,
        }
        draws = {name: np.concatenate([draws[name], new[name]]) for name in draws}

        kept = _keep_first_pairs(
            rng, draws["user"], draws["item"], activity, items.base_count
        )
        draws = {name: values[kept] for name, values in draws.items()}
        shortfall = activity - np.bincount(draws["user"], minlength=len(activity))
        if shortfall.sum() <= 0.01 * activity.sum():
            break
        draw_counts = np.ceil(shortfall * 2 * _OVERSAMPLING).astype(np.int64)
    return draws


def _draw_items(
    rng: np.random.Generator,
    users: UserTraits,
    items: ItemTraits,
    user_rows: np.ndarray,
    days: np.ndarray,
    hours: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw an item per (user, day, hour) and return it with its relative affinity.

    The relative affinity is the item's chance divided by the user's highest chance
    under the same slot and season, in (0, 1].
    """
    slot = calendar.assign_slots(days, hours)
    season = calendar.is_december(days).astype(np.int64)
    condition = slot * 2 + season

    # Item weights per condition (slot, season): popularity x slot x season factor.
    slot_factor = calendar.compute_slot_factors(items.genre_weights, items.formats)
    season_factor = np.where(items.christmas, np.array(_CHRISTMAS_FACTOR)[:, None], 1.0)
    item_weights = items.popularity * slot_factor[:, None, :] * season_factor[None]
    item_weights = item_weights.reshape(-1, items.base_count)
    child_share = np.repeat(_CHILD_SHARE_BY_SLOT, 2)

    item_rows = np.empty(len(user_rows), dtype=np.int64)
    affinity = np.empty(len(user_rows))
    order = np.argsort(user_rows, kind="stable")
    users_per_chunk = max(1, _MATRIX_CELLS // items.base_count)
    for first in range(0, len(users.shared), users_per_chunk):
        last = min(first + users_per_chunk, len(users.shared))
        bounds = np.searchsorted(user_rows[order], [first, last])
        chunk = order[bounds[0] : bounds[1]]
        taste = _taste_affinity(users.taste[first:last], items.genre_weights)
        shared = users.shared[first:last]
        child = _taste_affinity(
            users.child_taste[first:last][shared], items.genre_weights
        )

        for value in np.unique(condition[chunk]):
            rows = chunk[condition[chunk] == value]
            chance = taste * item_weights[value]
            if shared.any():
                # A shared profile is the child with chance child_share, else the adult.
                adult_chance = _normalised(chance[shared])
                child_chance = _normalised(child * item_weights[value])
                chance[shared] = (
                    child_share[value] * child_chance
                    + (1 - child_share[value]) * adult_chance
                )
            chosen, relative = _sample_rows(rng, chance, user_rows[rows] - first)
            item_rows[rows] = chosen
            affinity[rows] = relative
    return item_rows, affinity


def _taste_affinity(taste: np.ndarray, genre_weights: np.ndarray) -> np.ndarray:
    """Return the genre match of each taste and item, shape (len(taste), item_count)."""
    return taste @ genre_weights.T + _TASTE_FLOOR


def _normalised(chance: np.ndarray) -> np.ndarray:
    return chance / chance.sum(axis=1, keepdims=True)


def _sample_rows(
    rng: np.random.Generator, chance: np.ndarray, local: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Draw one column of ``chance[r]`` per ``r`` in ``local``, chance-weighted.

    Returns the columns and their chance relative to the row's maximum.
    """
    # Inverse-CDF sampling for all rows at once: offsetting row r's CDF by r makes
    # the flattened matrix ascending, so one searchsorted serves every row.
    cumulative = np.cumsum(chance, axis=1)
    cumulative /= cumulative[:, -1:]
    cumulative += np.arange(len(chance))[:, None]
    positions = np.searchsorted(
        cumulative.ravel(), local + rng.random(len(local)), side="right"
    )
    column_count = chance.shape[1]
    chosen = np.minimum(positions - local * column_count, column_count - 1)
    relative = chance[local, chosen] / chance.max(axis=1)[local]
    return chosen, relative


def _keep_first_pairs(
    rng: np.random.Generator,
    user_rows: np.ndarray,
    item_rows: np.ndarray,
    activity: np.ndarray,
    item_count: int,
) -> np.ndarray:
    """Keep one row per (user, item), then at most ``activity[user]`` rows per user."""
    _, first = np.unique(user_rows * item_count + item_rows, return_index=True)

    # Shuffle before the cut per user, so the rows kept are a random subset.
    shuffled = first[rng.permutation(len(first))]
    by_user = shuffled[np.argsort(user_rows[shuffled], kind="stable")]
    users = user_rows[by_user]
    group_start = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    sizes = np.diff(np.r_[group_start, len(users)])
    rank = np.arange(len(users)) - np.repeat(group_start, sizes)
    return np.sort(by_user[rank < activity[users]])


def _continue_franchises(
    rng: np.random.Generator, draws: dict, next_part: np.ndarray, day_count: int
) -> dict:
    """Add part n + 1 a few days after part n, with chance _CONTINUATION_CHANCE."""
    parts = [draws]
    current = draws
    while len(current["item"]):
        following = next_part[current["item"]]
        go = (following >= 0) & (rng.random(len(following)) < _CONTINUATION_CHANCE)
        delay = 1 + np.floor(rng.exponential(_CONTINUATION_MEAN_DAYS, len(following)))
        days = current["day"] + delay.astype(np.int64)
        go &= days < day_count
        current = {
            "user": current["user"][go],
            "item": following[go],
            "day": days[go],
            "hour": calendar.draw_hours(rng, days[go]),
            # The user liked the previous part, so the next one counts as a good match.
            "affinity": np.ones(int(go.sum())),
        }
        parts.append(current)
    return {name: np.concatenate([part[name] for part in parts]) for name in draws}


def _earliest_pairs(
    user_rows: np.ndarray, item_rows: np.ndarray, seconds: np.ndarray, item_count: int
) -> np.ndarray:
    """Return the rows of the earliest interaction of each (user, item) pair."""
    order = np.argsort(seconds, kind="stable")
    _, first = np.unique(
        user_rows[order] * item_count + item_rows[order], return_index=True
    )
    return np.sort(order[first])


def _split_duplicates(
    rng: np.random.Generator, item_rows: np.ndarray, items: ItemTraits
) -> np.ndarray:
    """Return item ids, moving 30-50% of a duplicated item's rows to its copy."""
    duplicate_count = len(items.canonical_rows)
    if duplicate_count == 0:
        return item_rows + 1
    pair_of_row = np.full(items.base_count, -1)
    pair_of_row[items.canonical_rows] = np.arange(duplicate_count)
    pair = pair_of_row[item_rows]
    share = rng.uniform(0.3, 0.5, duplicate_count)
    moved = (pair >= 0) & (rng.random(len(item_rows)) < share[np.maximum(pair, 0)])

    # Both ids of a pair need interactions: where one side is empty, flip the
    # first row of that pair.
    rows = np.flatnonzero(pair >= 0)
    total = np.bincount(pair[rows], minlength=duplicate_count)
    moved_count = np.bincount(
        pair[rows], weights=moved[rows], minlength=duplicate_count
    )
    _, first = np.unique(pair[rows], return_index=True)
    first_rows = rows[first]
    first_pairs = pair[first_rows]
    one_sided = (total[first_pairs] >= 2) & (
        (moved_count[first_pairs] == 0)
        | (moved_count[first_pairs] == total[first_pairs])
    )
    moved[first_rows[one_sided]] = ~moved[first_rows[one_sided]]

    item_ids = item_rows + 1
    item_ids[moved] = items.base_count + 1 + pair[moved]
    return item_ids
