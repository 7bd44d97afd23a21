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
    noise = 0.5 * rng.normal(size=(ITEM_COUNT, SIZE))
    vectors = (centres[rng.integers(0, 60, ITEM_COUNT)] + noise).astype(np.float32)
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


@pytest.mark.parametrize("exclude", [None, [], [10, 11, 12], [99_999_999]])
def test_nearest_zero_match_filter(catalogue, exclude):
    index, vectors, _, _ = catalogue

    rows = index.nearest(vectors[0], 10, filters=[Filter("year", ">", 3000)], exclude=exclude)

    assert rows.num_rows == 0
    assert rows.column_names == ["item_id", "title", "score", "rank"]


def test_nearest_zero_match_unpartitioned(tmp_path):
    index, vectors, _ = small_catalogue(tmp_path, 200)

    rows = index.nearest(vectors[0], 5, filters=[Filter("bucket", "<", 0)], exclude=[1, 2])

    assert index.snapshot().partition_count == 0
    assert rows.num_rows == 0


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


def test_nearest_accepts_numpy_k_and_one_filter(catalogue):
    index, vectors, _, _ = catalogue
    listed = index.nearest(vectors[0], 5, filters=[Filter("christmas", "=", True)])

    rows = index.nearest(vectors[0], np.int64(5), filters=Filter("christmas", "=", True))

    assert rows.column("item_id").to_pylist() == listed.column("item_id").to_pylist()


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


BUCKETS = 10_000
SHARES = [0.9, 0.5, 0.1, 0.01, 0.001, 0.0001]


def clustered(rng, count, size=SIZE, centre_count=40):
    centres = rng.normal(size=(centre_count, size))
    noise = 0.5 * rng.normal(size=(count, size))
    return (centres[rng.integers(0, centre_count, count)] + noise).astype(np.float32)


def small_catalogue(path, count, seed=5):
    rng = np.random.default_rng(seed)
    vectors = clustered(rng, count)
    metadata = pa.table(
        {
            "item_id": pa.array(np.arange(count), pa.int64()),
            "bucket": pa.array(rng.integers(0, BUCKETS, count), pa.int32()),
        }
    )
    return (
        ItemIndex.build(path, "items_small", metadata, vectors, seed=seed),
        vectors,
        metadata,
    )


@pytest.fixture(scope="module")
def bucketed(tmp_path_factory):
    return small_catalogue(tmp_path_factory.mktemp("bucketed"), 20_000)


@pytest.mark.parametrize("share", SHARES)
def test_nearest_exactly_k_at_selectivity(bucketed, share):
    index, vectors, metadata = bucketed
    bucket = metadata.column("bucket").to_numpy()
    mask = bucket < share * BUCKETS
    query = vectors[17]

    rows = index.nearest(
        query, 50, filters=[Filter("bucket", "<", int(share * BUCKETS))]
    )

    found = rows.column("item_id").to_numpy()
    assert rows.num_rows == min(50, int(mask.sum()))
    assert mask[found].all()


@pytest.mark.parametrize("share", [0.01, 0.001, 0.0001])
def test_nearest_selective_share_is_exact(bucketed, share):
    index, vectors, metadata = bucketed
    ids = metadata.column("item_id").to_numpy()
    mask = metadata.column("bucket").to_numpy() < share * BUCKETS
    query = vectors[3]

    rows = index.nearest(
        query, 20, filters=[Filter("bucket", "<", int(share * BUCKETS))]
    )

    assert (
        rows.column("item_id").to_numpy().tolist()
        == exact_top(vectors, ids, query, 20, mask).tolist()
    )


def test_nearest_broad_filter_with_exclude(bucketed):
    index, vectors, metadata = bucketed
    mask = metadata.column("bucket").to_numpy() < 9000
    flt = [Filter("bucket", "<", 9000)]
    first = index.nearest(vectors[8], 200, filters=flt).column("item_id").to_numpy()

    rows = index.nearest(vectors[8], 200, filters=flt, exclude=first[:150])

    found = rows.column("item_id").to_numpy()
    assert rows.num_rows == 200
    assert not set(found.tolist()) & set(first[:150].tolist())
    assert mask[found].all()


def test_nearest_k_just_below_matching(bucketed):
    index, vectors, metadata = bucketed
    matching = int((metadata.column("bucket").to_numpy() < 5000).sum())

    rows = index.nearest(
        vectors[2], matching - 3, filters=[Filter("bucket", "<", 5000)]
    )

    assert rows.num_rows == matching - 3


def test_nearest_logs_path_choice(bucketed, caplog):
    index, vectors, _ = bucketed

    with caplog.at_level("DEBUG", logger="engine.index._table"):
        index.nearest(vectors[0], 10, filters=[Filter("bucket", "<", 10)])
        index.nearest(vectors[0], 10)

    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("exact scan of") for m in messages)
    assert any(m.startswith("IVF search of") for m in messages)


@pytest.mark.parametrize("filters", [[], [Filter("bucket", "<", 5000)]])
def test_nearest_large_k_small_table_exact(bucketed, caplog, filters):
    index, vectors, metadata = bucketed
    mask = metadata.column("bucket").to_numpy() < (5000 if filters else BUCKETS)

    with caplog.at_level("DEBUG", logger="engine.index._table"):
        rows = index.nearest(vectors[0], 10_000, filters=filters)

    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1
    assert messages[0].startswith("exact scan of")
    assert rows.num_rows == min(10_000, int(mask.sum()))


def test_build_same_seed_same_partitions(tmp_path):
    first, *_ = small_catalogue(tmp_path / "a", 3000)
    second, *_ = small_catalogue(tmp_path / "b", 3000)

    partitions = [
        ix.table.to_arrow().column("ivf_partition").to_pylist()
        for ix in (first, second)
    ]

    assert partitions[0] == partitions[1]
    assert None not in partitions[0]


def test_added_items_found_next_query(tmp_path):
    index, vectors, metadata = small_catalogue(tmp_path, 3000)
    query = vectors[10]
    new = pa.table(
        {
            "item_id": pa.array([5000, 5001], pa.int64()),
            "bucket": pa.array([1, 7000], pa.int32()),
        }
    )

    index.add_items(new, np.stack([query * 3, query * 2]))

    assert index.nearest(query, 2).column("item_id").to_pylist() == [5000, 5001]
    selective = index.nearest(query, 1, filters=[Filter("bucket", "<", 2)])
    assert selective.column("item_id").to_pylist() == [5000]
    assert index.table.count_rows("ivf_partition IS NULL") == 2


def test_pinned_reader_misses_later_items(tmp_path):
    index, vectors, metadata = small_catalogue(tmp_path, 3000)
    reader = ItemIndex(tmp_path, index.table_name, index.table_version)
    new = pa.table(
        {"item_id": pa.array([9000], pa.int64()), "bucket": pa.array([1], pa.int32())}
    )

    index.add_items(new, vectors[10:11] * 3)

    assert 9000 not in reader.nearest(vectors[10], 5).column("item_id").to_pylist()
    assert 9000 in index.nearest(vectors[10], 5).column("item_id").to_pylist()


def test_deleted_items_never_return(tmp_path):
    index, vectors, metadata = small_catalogue(tmp_path, 3000)
    query = vectors[20]
    top = index.nearest(query, 5).column("item_id").to_numpy()
    rare = (
        index.nearest(query, 3, filters=[Filter("bucket", "<", 100)])
        .column("item_id")
        .to_numpy()
    )

    index.delete_items(np.concatenate([top, rare]))

    deleted = set(top.tolist()) | set(rare.tolist())
    assert not deleted & set(index.nearest(query, 100).column("item_id").to_pylist())
    filtered = index.nearest(query, 100, filters=[Filter("bucket", "<", 100)])
    assert not deleted & set(filtered.column("item_id").to_pylist())
    assert index.row_count() == 3000 - len(deleted)


def test_add_items_past_threshold_extends(tmp_path):
    index, vectors, metadata = small_catalogue(tmp_path, 3000)
    rng = np.random.default_rng(9)
    count = EXACT_SCAN_MAX_ROWS + 100
    new = pa.table(
        {
            "item_id": pa.array(np.arange(10_000, 10_000 + count), pa.int64()),
            "bucket": pa.array(rng.integers(0, BUCKETS, count), pa.int32()),
        }
    )
    added = vectors[rng.integers(0, 3000, count)] + 0.01
    # Ten times an item's vector outscores every other item for that query.
    added[0] = 10 * vectors[0]

    index.add_items(new, added)

    assert index.table.count_rows("ivf_partition IS NULL") == 0
    assert index.snapshot().unassigned_count == 0
    assert index.nearest(added[0], 1).column("item_id").to_pylist() == [10_000]


def test_add_items_rejects_existing_ids(tmp_path):
    index, vectors, metadata = small_catalogue(tmp_path, 3000)

    with pytest.raises(ValueError, match="already in items_small"):
        index.add_items(metadata.slice(0, 2), vectors[:2])


def new_rows(**columns):
    """Build item rows, with lists typed as the small catalogue's columns."""
    arrays = {}
    for name, values in columns.items():
        if not isinstance(values, pa.Array):
            values = pa.array(values, pa.int32() if name == "bucket" else pa.int64())
        arrays[name] = values
    return pa.table(arrays)


NAN_ROW = np.full((1, SIZE), np.nan, np.float32)
INF_ROW = np.full((1, SIZE), np.inf, np.float32)


@pytest.mark.parametrize(
    ("metadata", "embeddings", "message"),
    [
        (new_rows(item_id=[5000, 5000], bucket=[1, 2]), np.ones((2, SIZE)), "occur more than once"),
        (new_rows(item_id=[5000]), np.ones((1, SIZE)), "missing bucket, extra none"),
        (new_rows(item_id=[5000], bucket=[1], colour=[3]), np.ones((1, SIZE)), "missing none, extra colour"),
        (new_rows(item_id=[5000], bucket=[1]), np.ones((1, SIZE + 1)), "expected the embedding size 16"),
        (new_rows(item_id=[5000], bucket=[1]), NAN_ROW, "NaN or infinite values .*5000"),
        (new_rows(item_id=[5000], bucket=[1]), INF_ROW, "NaN or infinite values"),
        (new_rows(item_id=pa.array([None], pa.int64()), bucket=[1]), np.ones((1, SIZE)), "item_id is null in 1 rows"),
        (new_rows(item_id=pa.array(["x"]), bucket=[1]), np.ones((1, SIZE)), "invalid item_id column of type string"),
        (new_rows(item_id=[5000], bucket=pa.array(["many"])), np.ones((1, SIZE)), "invalid values in column bucket"),
        (new_rows(item_id=[5000], bucket=[1]), np.ones(SIZE), r"invalid embeddings of shape \(16,\)"),
        (new_rows(item_id=[5000], bucket=[1]), np.ones((2, SIZE)), "metadata has 1 rows but embeddings 2"),
    ],
)
def test_add_items_rejects_bad_input(tmp_path, metadata, embeddings, message):
    index, _, _ = small_catalogue(tmp_path, 300)
    version = index.table_version

    with pytest.raises(ValueError, match=message):
        index.add_items(metadata, embeddings)

    latest = ItemIndex(tmp_path, index.table_name)
    assert latest.row_count() == 300
    assert latest.table.version == version
    assert index.table_version == version


def test_add_items_takes_reordered_columns(tmp_path):
    index, vectors, _ = small_catalogue(tmp_path, 300)
    reordered = pa.table(
        {"bucket": pa.array([1], pa.int64()), "item_id": pa.array([5000], pa.int32())}
    )

    index.add_items(reordered, vectors[4:5] * 5)

    assert index.row_count() == 301
    assert index.nearest(vectors[4], 1).column("item_id").to_pylist() == [5000]


def test_build_rejects_engine_column(tmp_path):
    metadata = pa.table({"item_id": [1, 2], "ivf_partition": [0, 0]})

    with pytest.raises(ValueError, match="column named ivf_partition"):
        ItemIndex.build(tmp_path, "items_bad", metadata, np.zeros((2, 4), np.float32))
