"""Paired bootstrap of per-user recall@10."""

from __future__ import annotations

import numpy as np
import pytest
from _anchors import paired_bootstrap


def hits(seed: int, rate: float, count: int = 500) -> np.ndarray:
    return (np.random.default_rng(seed).random(count) < rate).astype(np.float64)


def test_bootstrap_identical_models_zero_interval(seed):
    values = hits(seed, 0.2)

    interval = paired_bootstrap(values, values, resamples=200, seed=seed)

    assert interval.difference == 0.0
    assert interval.low == 0.0
    assert interval.high == 0.0
    assert interval.share_not_above_zero == 1.0


def test_bootstrap_constant_shift_exact():
    base = np.linspace(0.0, 0.5, 101)

    interval = paired_bootstrap(base + 0.25, base, resamples=300, seed=1)

    assert interval.difference == pytest.approx(0.25)
    assert interval.low == pytest.approx(0.25)
    assert interval.high == pytest.approx(0.25)


def test_bootstrap_same_seed_same_interval(seed):
    a, b = hits(seed, 0.3), hits(seed + 1, 0.2)

    first = paired_bootstrap(a, b, resamples=1500, seed=7)
    second = paired_bootstrap(a, b, resamples=1500, seed=7)

    assert first == second


def test_bootstrap_other_seed_other_interval(seed):
    a, b = hits(seed, 0.3), hits(seed + 1, 0.2)

    first = paired_bootstrap(a, b, resamples=1500, seed=7)
    second = paired_bootstrap(a, b, resamples=1500, seed=8)

    assert (first.low, first.high) != (second.low, second.high)


def test_bootstrap_clear_gain_excludes_zero(seed):
    b = hits(seed, 0.1, count=2000)
    # A hits wherever B hits, and on a further 20% of users.
    a = np.maximum(b, hits(seed + 1, 0.2, count=2000))

    interval = paired_bootstrap(a, b, resamples=2000, seed=seed)

    assert interval.low > 0.0
    assert interval.low <= interval.difference <= interval.high
    assert interval.share_not_above_zero == 0.0


def test_bootstrap_pairing_narrows_interval(seed):
    # The two models agree on all but a few users, so the paired differences
    # spread little, although each model's own mean varies widely over resamples.
    b = hits(seed, 0.5, count=400)
    a = b.copy()
    a[:8] = 1.0

    interval = paired_bootstrap(a, b, resamples=2000, seed=seed)

    assert interval.high - interval.low < 0.03


def test_bootstrap_rejects_misaligned_users():
    with pytest.raises(ValueError, match="invalid per-user values"):
        paired_bootstrap([1.0, 0.0], [1.0, 0.0, 1.0])


def test_bootstrap_rejects_no_users():
    with pytest.raises(ValueError, match="no users"):
        paired_bootstrap([], [])


def test_bootstrap_rejects_zero_resamples():
    with pytest.raises(ValueError, match="invalid resamples"):
        paired_bootstrap([1.0], [0.0], resamples=0)
