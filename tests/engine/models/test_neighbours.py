"""Tests of the cosine neighbour search shared by the kNN models."""

import numpy as np
import pytest

from engine.models import _neighbours
from engine.models._neighbours import cosine_neighbours, nearest_neighbours, top_k


def test_top_k_orders_by_value():
    values = np.array([[0.1, 0.9, 0.5, 0.7]], dtype=np.float32)

    columns, top_values = top_k(values, 3)

    np.testing.assert_array_equal(columns, [[1, 3, 2]])
    np.testing.assert_array_equal(top_values, values[:, [1, 3, 2]])


def test_top_k_ties_keep_lower_columns():
    values = np.array(
        [[0.5, 0.2, 0.5, 0.5, 0.9], [0.0, 0.0, 0.0, 0.0, 0.0]], dtype=np.float32
    )

    columns, top_values = top_k(values, 3)

    np.testing.assert_array_equal(columns, [[4, 0, 2], [0, 1, 2]])
    np.testing.assert_array_equal(
        top_values, values[[[0], [1]], [[4, 0, 2], [0, 1, 2]]]
    )


def test_top_k_caps_k_at_columns():
    values = np.array([[3.0, 1.0], [1.0, 3.0]], dtype=np.float32)

    columns, top_values = top_k(values, 5)

    np.testing.assert_array_equal(columns, [[0, 1], [1, 0]])
    assert top_values.shape == (2, 2)


def test_cosine_neighbours_skip_self():
    # Rows 0 and 1 are identical; row 2 is all zero.
    rows = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 0]], dtype=np.float32)

    neighbours, similarities = cosine_neighbours(rows, k=2, shrinkage=0.0)

    np.testing.assert_array_equal(neighbours, [[1, 2], [0, 2], [0, 1]])
    np.testing.assert_array_equal(similarities, [[1.0, 0.0], [1.0, 0.0], [0.0, 0.0]])


def test_cosine_neighbours_same_in_any_block_size(monkeypatch, seed):
    rows = (np.random.default_rng(seed).random((40, 30)) < 0.2).astype(np.float32)
    whole = cosine_neighbours(rows, k=5, shrinkage=2.0)

    monkeypatch.setattr(_neighbours, "_BLOCK_CELLS", 7 * 40)
    blocked = cosine_neighbours(rows, k=5, shrinkage=2.0)

    np.testing.assert_array_equal(blocked[0], whole[0])
    np.testing.assert_array_equal(blocked[1], whole[1])


def test_cosine_neighbours_reports_progress():
    rows = np.eye(5, dtype=np.float32)
    calls = []

    cosine_neighbours(
        rows, k=1, shrinkage=0.0, progress=lambda *call: calls.append(call)
    )

    assert calls[-1] == (5, 5, "cosine neighbours")
    assert [done for done, _, _ in calls] == sorted(done for done, _, _ in calls)


@pytest.mark.parametrize("row_count", [0, 1])
def test_cosine_neighbours_too_few_rows(row_count):
    rows = np.ones((row_count, 3), dtype=np.float32)

    neighbours, similarities = cosine_neighbours(rows, k=4, shrinkage=0.0)

    assert neighbours.shape == (row_count, 0)
    assert similarities.shape == (row_count, 0)


# Rows: a = {0, 1}, b = {0, 1, 2}, c = {2}. Squared norms 2, 3, 1; a.b = 2.
SMALL_ROWS = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 1]], dtype=np.float32)


def test_asymmetric_cosine_values():
    neighbours, similarities = nearest_neighbours(
        SMALL_ROWS, k=2, similarity="asymmetric_cosine", alpha=0.25
    )

    # Query a against row b: 2 / (2 ** 0.25 * 3 ** 0.75); b against a swaps the
    # exponents, and c against b is 1 / 3 ** 0.75.
    np.testing.assert_array_equal(neighbours[:, 0], [1, 0, 1])
    np.testing.assert_allclose(similarities[0, 0], 2 / (2**0.25 * 3**0.75), rtol=1e-6)
    np.testing.assert_allclose(similarities[1, 0], 2 / (3**0.25 * 2**0.75), rtol=1e-6)
    np.testing.assert_allclose(similarities[2, 0], 1 / (1**0.25 * 3**0.75), rtol=1e-6)


def test_asymmetric_cosine_half_is_cosine():
    asymmetric = nearest_neighbours(
        SMALL_ROWS, k=2, similarity="asymmetric_cosine", alpha=0.5
    )
    cosine = nearest_neighbours(SMALL_ROWS, k=2, similarity="cosine")

    np.testing.assert_array_equal(asymmetric[0], cosine[0])
    np.testing.assert_allclose(asymmetric[1], cosine[1], rtol=1e-6)


def test_jaccard_values():
    neighbours, similarities = nearest_neighbours(
        SMALL_ROWS, k=2, similarity="jaccard", shrinkage=1.0
    )

    # |a and b| / |a or b| = 2 / 3, |b and c| / |b or c| = 1 / 3, a and c share nothing.
    np.testing.assert_array_equal(neighbours, [[1, 2], [0, 2], [1, 0]])
    np.testing.assert_allclose(
        similarities, [[2 / 4, 0.0], [2 / 4, 1 / 4], [1 / 4, 0.0]], rtol=1e-6
    )


def test_queries_replace_rows_on_query_side():
    # Query a counts only item 2, which b and c have and a lacks.
    queries = SMALL_ROWS.copy()
    queries[0] = [0, 0, 1]

    neighbours, similarities = nearest_neighbours(SMALL_ROWS, k=2, queries=queries)

    np.testing.assert_array_equal(neighbours[0], [2, 1])
    np.testing.assert_allclose(similarities[0], [1.0, 1 / np.sqrt(3)], rtol=1e-6)
    plain_neighbours, _ = nearest_neighbours(SMALL_ROWS, k=2)
    np.testing.assert_array_equal(neighbours[1:], plain_neighbours[1:])


def test_nearest_neighbours_invalid_similarity():
    with pytest.raises(ValueError, match="invalid similarity: 'dice'"):
        nearest_neighbours(SMALL_ROWS, k=1, similarity="dice")


def test_nearest_neighbours_queries_shape_mismatch():
    with pytest.raises(ValueError, match=r"invalid queries shape: \(2, 3\)"):
        nearest_neighbours(SMALL_ROWS, k=1, queries=SMALL_ROWS[:2])
