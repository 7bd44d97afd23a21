"""Tests of the cosine neighbour search shared by the kNN models."""

import numpy as np
import pytest

from engine.models import _neighbours
from engine.models._neighbours import cosine_neighbours, top_k


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
