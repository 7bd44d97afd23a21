"""similar_items, item_embedding and the item_vectors view on a real demo store."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

import engine


@pytest.fixture
def store(demo_store):
    return engine.open(demo_store)


def _rows(con, statement):
    return con.execute(statement).fetchall()


def test_item_embedding_matches_item_vectors(store):
    with store.connect() as con:
        embedding = _rows(con, "select item_embedding(7)")[0][0]
        stored = _rows(con, "select vector from item_vectors where item_id = 7")[0][0]

    assert len(embedding) == store.manifest()["embedding_size"]
    assert embedding == pytest.approx(list(stored))


@pytest.mark.parametrize("item_id", ["null", "-1", "123456789"])
def test_item_embedding_unknown_gives_null(store, item_id):
    with store.connect() as con:
        rows = _rows(con, f"select item_embedding({item_id})")

    assert rows == [(None,)]


def test_similar_items_excludes_item(store):
    with store.connect() as con:
        similar = _rows(con, "select similar_items(7, 5)")[0][0]

    assert len(similar) == 5
    assert 7 not in [entry["item_id"] for entry in similar]
    assert [entry["rank"] for entry in similar] == [1, 2, 3, 4, 5]


def test_similar_items_are_nearest_by_dot_product(store):
    with store.connect() as con:
        similar = _rows(con, "select similar_items(7, 3)")[0][0]
        vectors = _rows(con, "select item_id, vector from item_vectors")
    ids = np.array([item_id for item_id, _ in vectors])
    matrix = np.array([vector for _, vector in vectors], dtype=np.float32)
    scores = matrix @ matrix[ids == 7][0]
    scores[ids == 7] = -np.inf
    nearest = ids[np.argsort(-scores, kind="stable")[:3]]

    assert [entry["item_id"] for entry in similar] == nearest.tolist()
    assert [entry["score"] for entry in similar] == pytest.approx(
        np.sort(scores)[::-1][:3].tolist(), rel=1e-5
    )


def test_similar_items_batch_equals_single_calls(store):
    with store.connect() as con:
        batch = _rows(
            con,
            "select item_id, similar_items(item_id, 4) "
            "from items order by item_id limit 20",
        )
        single = [
            (i, _rows(con, f"select similar_items({i}, 4)")[0][0]) for i, _ in batch
        ]

    assert batch == single


@pytest.mark.parametrize(
    "call", ["similar_items(null, 3)", "similar_items(-1, 3)", "similar_items(7, null)"]
)
def test_similar_items_null_or_unknown_gives_null(store, call):
    with store.connect() as con:
        rows = _rows(con, f"select {call}")

    assert rows == [(None,)]


def test_similar_items_bad_k_raises(store):
    with store.connect() as con:
        with pytest.raises(
            duckdb.InvalidInputException, match="similar_items: invalid k: 0"
        ):
            con.execute("select similar_items(7, 0)").fetchall()


def test_item_vectors_joins_interactions(store):
    with store.connect() as con:
        joined = _rows(
            con,
            "select count(*) "
            "from interactions as i join item_vectors as v using (item_id)",
        )
        total = _rows(con, "select count(*) from interactions")

    assert joined == total


def test_item_vectors_has_item_columns(store):
    with store.connect() as con:
        columns = {row[0]: row[1] for row in _rows(con, "describe item_vectors")}
        item_columns = {row[0] for row in _rows(con, "describe items")}

    assert item_columns <= set(columns)
    assert columns["vector"] == f"FLOAT[{store.manifest()['embedding_size']}]"


def test_functions_without_version(tmp_path):
    bare = engine.open(tmp_path / "bare.sqlrec", create=True)

    with bare.connect() as con:
        views = _rows(
            con, "select view_name from duckdb_views() where view_name = 'item_vectors'"
        )
        with pytest.raises(duckdb.InvalidInputException) as caught:
            con.execute("select recommend(1, 3)").fetchall()

    assert views == []
    assert "no active model version" in str(caught.value)


def test_item_vectors_manifest_without_table(tmp_path):
    bare = engine.open(tmp_path / "bare.sqlrec", create=True)
    bare.promote({"version": "v1"})

    with bare.connect() as con:
        views = _rows(
            con, "select count(*) from duckdb_views() where view_name = 'item_vectors'"
        )

    assert views == [(0,)]


def test_item_vectors_missing_table_logs_warning(tmp_path, caplog):
    bare = engine.open(tmp_path / "bare.sqlrec", create=True)
    bare.promote({"version": "v1", "item_table": "items_v1", "item_table_version": 3})

    with bare.connect() as con:
        views = _rows(
            con, "select count(*) from duckdb_views() where view_name = 'item_vectors'"
        )

    assert views == [(0,)]
    assert "failed to open item table items_v1 of version v1" in caplog.text
