import numpy as np
import pytest

from engine.index._table import TOP_SAMPLE_MIN_ROWS, _order_by_score, _top_indices


def score_cases():
    rng = np.random.default_rng(3)
    size = TOP_SAMPLE_MIN_ROWS + 5000
    uniform = rng.random(size).astype(np.float32)
    # Few distinct values, so many scores tie at the threshold.
    tied = rng.integers(0, 50, size).astype(np.float32)
    masked = uniform.copy()
    masked[rng.random(size) < 0.95] = -np.inf
    # Sorted scores put all of the highest ones in one run at the end.
    ascending = np.sort(uniform)
    return {"uniform": uniform, "tied": tied, "masked": masked, "ascending": ascending}


@pytest.mark.parametrize("name", ["uniform", "tied", "masked", "ascending"])
@pytest.mark.parametrize("count", [1, 100, 5000])
def test_top_indices_match_full_sort(name, count):
    scores = score_cases()[name]

    found = _top_indices(scores, count)

    expected_floor = np.sort(scores)[-count]
    assert len(found) == count
    assert len(np.unique(found)) == count
    assert scores[found].min() == expected_floor
    assert (scores > expected_floor).sum() <= count


def test_order_by_score_breaks_ties_by_id():
    rng = np.random.default_rng(4)
    scores = rng.integers(0, 5, 300).astype(np.float32)
    item_ids = rng.permutation(10_000)[:300]

    order = _order_by_score(scores, item_ids)

    assert order.tolist() == np.lexsort((item_ids, -scores)).tolist()
