import numpy as np
import pyarrow as pa
import pytest

from engine.index import EXACT_SCAN_MAX_ROWS, Filter, ItemIndex

ITEM_COUNT = EXACT_SCAN_MAX_ROWS + 2000
SIZE = 16


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    rng = np.random.default_rng(7)
    # Item embeddings cluster, as a trained tower's do: 60 centres plus noise.
    centres = rng.normal(size=(60, SIZE))
    vectors = centres[rng.integers(0, 60, ITEM_COUNT)] + 0.5 * rng.normal(size=(ITEM_COUNT, SIZE))
    vectors = vectors.astype(np.float32)
    ids = np.arange(10, 10 + ITEM_COUNT, dtype=np.int64)
    metadata = pa.table(
        {
            "item_id": ids,
            "title": [f"item {i}" for i in ids],
            "genres": [["Horror"] if i % 4 == 0 else ["Comedy", "Drama"] for i in ids],
            "year": pa.array(1950 + ids % 70, pa.int32()),
            "christmas": [bool(i % 97 == 0) for i in ids],
        }
    )
    index = ItemIndex.build(tmp_path_factory.mktemp("lance"), "items_test", metadata, vectors)
    return index, vectors, ids, metadata


def exact_top(vectors, ids, query, k, mask=None):
    scores = vectors @ query
    keep = np.ones(len(ids), bool) if mask is None else mask
    order = np.lexsort((ids[keep], -scores[keep]))[:k]
    return ids[keep][order]


def test_nearest_scores_are_dot_products(catalogue):
    index, vectors, ids, _ = catalogue
    query = vectors[3]

    rows = index.nearest(query, 20)

    positions = rows.column("item_id").to_numpy() - 10
    np.testing.assert_allclose(rows.column("score").to_numpy(), vectors[positions] @ query, rtol=1e-5)
    assert "_distance" not in rows.column_names


def test_nearest_index_path_recall(catalogue):
    index, vectors, ids, _ = catalogue
    rng = np.random.default_rng(1)
    hits = 0
    for query in rng.normal(size=(10, SIZE)).astype(np.float32):
        found = index.nearest(query, 10).column("item_id").to_numpy()
        hits += len(set(found) & set(exact_top(vectors, ids, query, 10)))

    assert hits / 100 >= 0.9


def test_nearest_selective_filter_is_exact(catalogue):
    index, vectors, ids, metadata = catalogue
    query = np.ones(SIZE, np.float32)
    mask = np.array(metadata.column("christmas").to_pylist())

    rows = index.nearest(query, 10, filters=[Filter("christmas", "=", True)])

    assert rows.column("item_id").to_numpy().tolist() == exact_top(vectors, ids, query, 10, mask).tolist()


def test_nearest_returns_k_when_k_match(catalogue):
    index, _, ids, metadata = catalogue
    query = np.ones(SIZE, np.float32)
    horror = ids[ids % 4 == 0]
    exclude = horror[:500]

    rows = index.nearest(query, 300, filters=[Filter("genres", "any", ["Horror"])], exclude=exclude)

    assert rows.num_rows == 300
    assert not set(rows.column("item_id").to_pylist()) & set(exclude.tolist())
    assert set(rows.column("item_id").to_pylist()) <= set(horror.tolist())


def test_nearest_returns_all_when_fewer_match(catalogue):
    index, _, ids, _ = catalogue
    query = np.ones(SIZE, np.float32)
    matching = int((ids % 97 == 0).sum())

    rows = index.nearest(query, matching + 50, filters=[Filter("christmas", "=", True)])

    assert rows.num_rows == matching


def test_nearest_ranks_start_at_one(catalogue):
    index, vectors, _, _ = catalogue

    rows = index.nearest(vectors[0], 5)

    assert rows.column("rank").to_pylist() == [1, 2, 3, 4, 5]
    assert rows.column("score").to_numpy().tolist() == sorted(rows.column("score").to_numpy().tolist(), reverse=True)


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_nearest_rejects_bad_k(catalogue, k):
    index, vectors, _, _ = catalogue

    with pytest.raises(ValueError, match="invalid k"):
        index.nearest(vectors[0], k)


def test_table_carries_scalar_indexes(catalogue):
    index, *_ = catalogue

    kinds = {tuple(ix.columns): ix.index_type for ix in index.table.list_indices()}

    assert kinds[("genres",)] == "LabelList"
    assert kinds[("christmas",)] == "Bitmap"
    assert kinds[("year",)] == "BTree"
    assert kinds[("vector",)] == "IvfFlat"


def test_nearest_broad_filter_returns_k(catalogue):
    index, vectors, ids, _ = catalogue
    comedy = ids[ids % 4 != 0]
    exclude = comedy[::3]

    rows = index.nearest(vectors[5], 1000, filters=[Filter("genres", "any", ["Comedy"])], exclude=exclude)

    assert len(comedy) > EXACT_SCAN_MAX_ROWS
    assert rows.num_rows == 1000
    assert set(rows.column("item_id").to_pylist()) <= set(comedy.tolist()) - set(exclude.tolist())
