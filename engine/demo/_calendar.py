"""When demo interactions happen, and what the time of the week changes.

The week is cut into slots (weekend morning, Friday and Saturday evening, commute,
other evening, daytime, night). A slot shifts the genres and formats people watch
and the device they watch on. The demo takes UTC as the viewers' local time.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from engine.demo import _vocabulary as vocab

START = datetime(2026, 9, 1, tzinfo=timezone.utc)
_START_SECONDS = int(START.timestamp())
_START_WEEKDAY = START.isoweekday()
_SECONDS_PER_DAY = 86_400

# Relative activity per hour 0-23 on Monday-Thursday, Friday, Saturday, Sunday.
# fmt: off
_HOUR_WEIGHTS = np.array([
    [0.8, 0.4, 0.2, 0.1, 0.1, 0.3, 1.0, 2.6, 2.8, 1.2, 1.0, 1.1,
     1.8, 1.6, 1.1, 1.1, 1.4, 2.6, 2.8, 3.2, 4.6, 5.0, 3.6, 1.8],
    [0.9, 0.4, 0.2, 0.1, 0.1, 0.3, 1.0, 2.5, 2.7, 1.2, 1.0, 1.1,
     1.8, 1.6, 1.1, 1.2, 1.5, 2.6, 3.4, 4.6, 6.8, 7.4, 6.4, 4.0],
    [2.0, 1.2, 0.6, 0.3, 0.2, 0.3, 1.2, 3.8, 5.6, 6.2, 5.4, 3.6,
     2.6, 2.2, 2.0, 2.0, 2.2, 2.6, 3.4, 4.8, 6.8, 7.4, 6.6, 4.4],
    [2.2, 1.2, 0.6, 0.3, 0.2, 0.3, 1.0, 3.2, 5.0, 5.6, 4.8, 3.2,
     2.6, 2.4, 2.4, 2.4, 2.6, 2.8, 3.2, 4.0, 4.4, 4.0, 2.6, 1.4],
])
# fmt: on

WEEKEND_MORNING, WEEKEND_EVENING, COMMUTE, EVENING, DAYTIME, NIGHT = range(6)
SLOT_COUNT = 6

# Slot tables below have one row per slot, in this order.
# fmt: off

#: Factor on the chance of an item of each genre, per slot (missing genres: 1).
SLOT_GENRE_FACTOR = (
    {"Animation": 6.0, "Family": 3.5, "Comedy": 1.3,    # weekend morning
     "Horror": 0.15, "Thriller": 0.3, "Crime": 0.4},
    {"Thriller": 1.8, "Drama": 1.5, "Action": 1.6,      # Friday, Saturday evening
     "Horror": 1.3, "Crime": 1.3, "Animation": 0.3, "Family": 0.5},
    {"Documentary": 1.3, "Comedy": 1.2},                 # commute
    {"Drama": 1.2, "Crime": 1.2},                        # other evening
    {"Documentary": 1.4, "Music": 1.3},                  # daytime
    {"Horror": 2.0, "Thriller": 1.5,                     # night
     "Animation": 0.3, "Family": 0.3},
)

#: Factor on the chance of a short, an episode and a film, per slot.
SLOT_FORMAT_FACTOR = np.array([
    [1.5, 1.0, 0.6],    # weekend morning
    [0.4, 0.8, 2.5],    # Friday, Saturday evening
    [2.0, 1.8, 0.35],   # commute
    [0.8, 1.3, 1.1],    # other evening
    [1.2, 1.1, 0.8],    # daytime
    [0.7, 1.2, 1.0],    # night
])

#: Chance of tv, mobile, web and tablet per slot, before the user's own device.
SLOT_DEVICE_SHARE = np.array([
    [0.45, 0.10, 0.10, 0.35],   # weekend morning
    [0.70, 0.10, 0.08, 0.12],   # Friday, Saturday evening
    [0.08, 0.72, 0.10, 0.10],   # commute
    [0.60, 0.13, 0.12, 0.15],   # other evening
    [0.10, 0.30, 0.45, 0.15],   # daytime
    [0.25, 0.40, 0.10, 0.25],   # night
])
# fmt: on

# Share of interactions on the user's usual device, whatever the slot.
_OWN_DEVICE_SHARE = 0.35


def to_weekdays(days: np.ndarray) -> np.ndarray:
    """Return the ISO weekday (1 = Monday) of each day index counted from START."""
    return (_START_WEEKDAY - 1 + days) % 7 + 1


def is_december(days: np.ndarray) -> np.ndarray:
    """Tell which day indices fall in December."""
    first = (datetime(START.year, 12, 1, tzinfo=timezone.utc) - START).days
    return (days >= first) & (days < first + 31)


def draw_times(
    rng: np.random.Generator, count: int, day_count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``count`` (day, hour) pairs, busy days and hours more often."""
    days = np.arange(day_count)
    day_weights = _HOUR_WEIGHTS[_day_types(to_weekdays(days))].sum(axis=1)
    drawn_days = rng.choice(days, size=count, p=day_weights / day_weights.sum())
    return drawn_days, draw_hours(rng, drawn_days)


def draw_hours(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Draw an hour for each day from the hour weights of its weekday."""
    cumulative = np.cumsum(_HOUR_WEIGHTS, axis=1)
    cumulative /= cumulative[:, -1:]
    rows = cumulative[_day_types(to_weekdays(days))]
    draws = rng.random(len(days))[:, None]
    return (draws >= rows).sum(axis=1).clip(0, 23)


def assign_slots(days: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Return the slot index of each (day, hour).

    The first match wins: weekend morning (Saturday, Sunday 6-11 h), Friday and
    Saturday evening (18-23 h), commute (Monday-Friday 7, 8, 17 and 18 h), other
    evening (18-23 h), daytime (9-17 h), and night for the remaining hours.
    """
    weekday = to_weekdays(days)
    weekend = weekday >= 6
    friday_or_saturday = (weekday == 5) | (weekday == 6)
    conditions = [
        weekend & (hours >= 6) & (hours < 12),
        friday_or_saturday & (hours >= 18),
        ~weekend & np.isin(hours, (7, 8, 17, 18)),
        hours >= 18,
        (hours >= 9) & (hours < 18),
    ]
    choices = [WEEKEND_MORNING, WEEKEND_EVENING, COMMUTE, EVENING, DAYTIME]
    return np.select(conditions, choices, NIGHT)


def compute_slot_factors(genre_weights: np.ndarray, formats: np.ndarray) -> np.ndarray:
    """Return the factor of each slot on each item, shape (SLOT_COUNT, item_count).

    A genre factor enters as a geometric mean weighted by the item's genre weights.
    """
    log_factor = np.zeros((SLOT_COUNT, len(vocab.GENRES)))
    for slot, factors in enumerate(SLOT_GENRE_FACTOR):
        for genre, factor in factors.items():
            log_factor[slot, vocab.GENRE_INDEX[genre]] = np.log(factor)
    genre_factor = np.exp(log_factor @ genre_weights.T)
    return genre_factor * SLOT_FORMAT_FACTOR[:, formats]


def draw_devices(
    rng: np.random.Generator, slot: np.ndarray, own_device: np.ndarray
) -> np.ndarray:
    """Draw a device index per interaction from its slot and the user's device."""
    share = (1 - _OWN_DEVICE_SHARE) * SLOT_DEVICE_SHARE[slot]
    share[np.arange(len(slot)), own_device] += _OWN_DEVICE_SHARE
    cumulative = np.cumsum(share, axis=1)
    draws = rng.random(len(slot))[:, None] * cumulative[:, -1:]
    return (draws >= cumulative).sum(axis=1).clip(0, share.shape[1] - 1)


def draw_unix_seconds(
    rng: np.random.Generator, days: np.ndarray, hours: np.ndarray
) -> np.ndarray:
    """Return unix seconds at a random second of each (day, hour)."""
    within = rng.integers(0, 3600, size=len(days))
    return _START_SECONDS + days * _SECONDS_PER_DAY + hours * 3600 + within


def _day_types(weekday: np.ndarray) -> np.ndarray:
    """Return the hour-weight row: 0 Monday-Thursday, 1 Friday, 2 Saturday, 3 Sunday."""
    return np.clip(weekday - 4, 0, 3)
