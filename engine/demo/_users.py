"""Users of the demo catalogue and their hidden genre tastes.

Each user has a taste: genre weights drawn from a Dirichlet distribution whose
parameters depend on age and gender, so demographics carry some signal. A shared
profile is a household account with two tastes, a child's and an adult's. Which
of the two is watching depends on the time of the week (see ``_interactions``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from engine.demo import _vocabulary as vocab

DEVICES = ("tv", "mobile", "web", "tablet")
_DEVICE_SHARE = np.array([0.35, 0.30, 0.20, 0.15])
_CHILD_DEVICE_SHARE = np.array([0.35, 0.15, 0.10, 0.40])

USER_SCHEMA = pa.schema(
    [
        pa.field("user_id", pa.int64(), nullable=False),
        pa.field("gender", pa.string(), nullable=False),
        pa.field("age", pa.int32(), nullable=False),
        pa.field("device", pa.string(), nullable=False),
    ]
)

# Dirichlet concentration per genre before the demographic factors. Small values
# make a taste peak on a few genres.
_BASE_CONCENTRATION = 0.35
_CHILD_AGE = 16
_CHILD_SHARE = 0.08

# Factors on the concentration of each genre, for one group of users.
_CHILD_TASTE = {
    "Animation": 8.0,
    "Family": 5.0,
    "Comedy": 2.0,
    "Horror": 0.05,
    "Crime": 0.1,
    "Thriller": 0.1,
    "Documentary": 0.3,
    "Romance": 0.2,
}
_ADULT_TASTE = {
    "Thriller": 6.0,
    "Crime": 2.5,
    "Action": 2.0,
    "Horror": 1.5,
    "Animation": 0.1,
    "Family": 0.1,
}
_YOUNG_TASTE = {
    "Horror": 2.0,
    "Action": 1.6,
    "Sci-Fi": 1.6,
    "Music": 1.8,
    "Comedy": 1.3,
    "Documentary": 0.6,
    "Animation": 0.7,
}
_MIDDLE_TASTE = {"Drama": 1.3, "Crime": 1.4, "Thriller": 1.3, "Family": 1.5}
_SENIOR_TASTE = {
    "Drama": 1.8,
    "Documentary": 2.0,
    "Crime": 1.5,
    "Romance": 1.3,
    "Horror": 0.4,
    "Animation": 0.4,
    "Music": 0.8,
}
# Age groups from 16 on, as (oldest age of the group, factors).
_AGE_TASTE = ((29, _YOUNG_TASTE), (49, _MIDDLE_TASTE), (200, _SENIOR_TASTE))
_GENDER_TASTE = {
    "F": {"Romance": 1.7, "Drama": 1.2, "Action": 0.7},
    "M": {"Action": 1.5, "Sci-Fi": 1.3, "Romance": 0.6},
}


@dataclass
class UserTraits:
    """Hidden traits of the users. Row ``u`` is the user with ``user_id = u + 1``."""

    taste: np.ndarray  # (user_count, genre_count), rows sum to 1
    child_taste: np.ndarray  # (user_count, genre_count), used for shared profiles
    shared: np.ndarray  # (user_count,) bool, household accounts
    devices: np.ndarray  # (user_count,) index into DEVICES, the usual device


def build_users(
    rng: np.random.Generator, user_count: int, shared_profile_share: float
) -> tuple[pa.Table, UserTraits]:
    """Invent ``user_count`` users with demographics and hidden tastes."""
    shared = rng.random(user_count) < shared_profile_share
    child = ~shared & (rng.random(user_count) < _CHILD_SHARE)

    # Ages: children 10-15, account holders of shared profiles 30-55, others 16-80.
    adult_age = np.where(
        rng.random(user_count) < 0.6,
        rng.normal(30, 8, user_count),
        rng.normal(50, 11, user_count),
    )
    age = np.rint(adult_age).clip(_CHILD_AGE, 80)
    age = np.where(child, rng.integers(10, _CHILD_AGE, user_count), age)
    age = np.where(shared, rng.integers(30, 56, user_count), age).astype(np.int32)
    gender = np.where(rng.random(user_count) < 0.5, "F", "M")

    devices = np.where(
        child,
        rng.choice(len(DEVICES), size=user_count, p=_CHILD_DEVICE_SHARE),
        rng.choice(len(DEVICES), size=user_count, p=_DEVICE_SHARE),
    )

    concentration = _demographic_concentration(age, gender)
    concentration[shared] = _group_concentration(_ADULT_TASTE)
    child_concentration = np.tile(_group_concentration(_CHILD_TASTE), (user_count, 1))
    traits = UserTraits(
        taste=_dirichlet(rng, concentration),
        child_taste=_dirichlet(rng, child_concentration),
        shared=shared,
        devices=devices,
    )

    users = pa.table(
        {
            "user_id": np.arange(1, user_count + 1, dtype=np.int64),
            "gender": gender.tolist(),
            "age": age,
            "device": [DEVICES[d] for d in devices],
        },
        schema=USER_SCHEMA,
    )
    return users, traits


def _group_concentration(factors: dict[str, float]) -> np.ndarray:
    concentration = np.full(len(vocab.GENRES), _BASE_CONCENTRATION)
    for genre, factor in factors.items():
        concentration[vocab.GENRE_INDEX[genre]] *= factor
    return concentration


def _demographic_concentration(age: np.ndarray, gender: np.ndarray) -> np.ndarray:
    concentration = np.full((len(age), len(vocab.GENRES)), _BASE_CONCENTRATION)
    concentration[age < _CHILD_AGE] = _group_concentration(_CHILD_TASTE)

    lower = _CHILD_AGE
    for upper, factors in _AGE_TASTE:
        rows = (age >= lower) & (age <= upper)
        concentration[rows] *= _group_concentration(factors) / _BASE_CONCENTRATION
        lower = upper + 1
    for value, factors in _GENDER_TASTE.items():
        rows = (gender == value) & (age >= _CHILD_AGE)
        concentration[rows] *= _group_concentration(factors) / _BASE_CONCENTRATION
    return concentration


def _dirichlet(rng: np.random.Generator, concentration: np.ndarray) -> np.ndarray:
    """Draw one Dirichlet sample per row of ``concentration`` (normalised gammas)."""
    draws = rng.gamma(concentration)
    # A row can underflow to all zeros when every concentration is tiny.
    draws = np.maximum(draws, 1e-12)
    return draws / draws.sum(axis=1, keepdims=True)
