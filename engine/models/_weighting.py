"""Weightings of the user x item matrix and of each user's items by recency.

The neighbourhood models compute their similarities on a weighted copy of the
binary interaction matrix (:func:`weight_interactions`) and may count a user's
recent items more than old ones (:func:`recency_weights`).
"""

from __future__ import annotations

import numpy as np

from engine.features import InteractionData
from engine.models._checks import check_non_negative

#: Names accepted by :func:`weight_interactions`.
WEIGHTINGS = ("none", "idf", "bm25")

# The usual BM25 constants of text retrieval. With binary entries a weight is the
# IDF times (k1 + 1) / (k1 * L + 1), L growing with the user's item count, so k1
# and b together set how much a long history lowers each of its weights.
BM25_K1 = 1.2
BM25_B = 0.75


def check_weighting(value) -> str:
    """Return ``value`` when it names a weighting, else raise ``ValueError``."""
    if value not in WEIGHTINGS:
        raise ValueError(
            f"invalid weighting: {value!r}, expected one of {', '.join(WEIGHTINGS)}"
        )
    return value


def check_half_life(value) -> float | None:
    """Return a recency half-life as a float, or ``None`` (recency weighting off)."""
    if value is None:
        return None
    if check_non_negative("recency_half_life", value) == 0:
        raise ValueError(
            f"invalid recency_half_life: {value!r}, expected a positive number "
            "of interactions, or null (None in Python) to weight every item alike"
        )
    return float(value)


def weight_interactions(matrix: np.ndarray, weighting: str) -> np.ndarray:
    """Weight the entries of a binary user x item matrix.

    ``idf`` multiplies column i by ``log((1 + U) / (1 + n_i)) + 1``, with U users
    and n_i the users of item i, so rare items weigh more. ``bm25`` also divides
    each user's row by a term that grows with the user's item count:
    ``(k1 + 1) / (k1 * (1 - b + b * n_u / mean n_u) + 1)`` with k1 = 1.2 and
    b = 0.75, so a user with many items says less about each of them.

    Parameters
    ----------
    matrix : ndarray of shape (user_count, item_count)
        Binary interactions.
    weighting : {"none", "idf", "bm25"}

    Returns
    -------
    ndarray of shape (user_count, item_count), float64
    """
    check_weighting(weighting)
    weighted = np.asarray(matrix, dtype=np.float64)
    if weighting == "none":
        return weighted.copy()

    user_count = weighted.shape[0]
    item_users = weighted.sum(axis=0)
    idf = np.log((1 + user_count) / (1 + item_users)) + 1
    weighted = weighted * idf[None, :]
    if weighting == "bm25":
        user_items = (matrix > 0).sum(axis=1).astype(np.float64)
        mean_items = user_items.mean() if user_items.size and user_items.any() else 1.0
        length = 1 - BM25_B + BM25_B * user_items / mean_items
        weighted *= ((BM25_K1 + 1) / (BM25_K1 * length + 1))[:, None]
    return weighted


def recency_weights(
    data: InteractionData, half_life: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weight each user's distinct items by how recent the user's last one is.

    An item's age is the number of the user's interactions after its last
    interaction with it, in the sequence order of ``data``, so the most recent
    item has age 0. Its weight is ``0.5 ** (age / half_life)``, or 1 for every
    item when ``half_life`` is ``None``.

    Returns
    -------
    offsets : ndarray of shape (user_count + 1,), int64
    items : ndarray of shape (distinct_count,), int64
        User u's distinct items, ascending, are ``items[offsets[u]:offsets[u + 1]]``.
    weights : ndarray of shape (distinct_count,), float32
        The weight of each entry of ``items``.
    """
    half_life = check_half_life(half_life)
    offsets = data.user_offsets().astype(np.int64)
    users = data.users.astype(np.int64)
    items = data.items.astype(np.int64)
    ages = (offsets[users + 1] - 1 - np.arange(len(users))).astype(np.float64)

    # Sort by (user, item, age) and keep the youngest row of each pair.
    order = np.lexsort((ages, items, users))
    users, items, ages = users[order], items[order], ages[order]
    first = np.ones(len(users), dtype=bool)
    first[1:] = (users[1:] != users[:-1]) | (items[1:] != items[:-1])
    users, items, ages = users[first], items[first], ages[first]

    if half_life is None:
        weights = np.ones(len(items), dtype=np.float32)
    else:
        weights = np.power(0.5, ages / half_life).astype(np.float32)
    distinct_offsets = np.zeros(data.user_count + 1, dtype=np.int64)
    np.cumsum(np.bincount(users, minlength=data.user_count), out=distinct_offsets[1:])
    return distinct_offsets, items, weights


def recency_matrix(data: InteractionData, half_life: float | None) -> np.ndarray:
    """Dense form of :func:`recency_weights`, shape (user_count, item_count), float64.

    Items a user never interacted with weigh 0.
    """
    offsets, items, weights = recency_weights(data, half_life)
    matrix = np.zeros((data.user_count, data.item_count), dtype=np.float64)
    users = np.repeat(np.arange(data.user_count), np.diff(offsets))
    matrix[users, items] = weights
    return matrix
