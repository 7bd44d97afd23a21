import json
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pyarrow as pa
import pytest

import engine
from engine.demo import generate_demo
from engine.index import ItemIndex, build_index, update_index
from engine.ingest import ingest_files
from engine.training import train

NEW_TITLE = "A Brand New Item"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    path = tmp_path_factory.mktemp("update") / "demo.sqlrec"
    store = engine.open(path, create=True)
    demo = generate_demo(seed=8, user_count=80, item_count=150)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)
    train(store, models=["popular", "two_tower"], params={"two_tower": {"epochs": 1}}, seed=8)
    build_index(store)
    return path


@pytest.fixture
def store(trained, tmp_path):
    copy = tmp_path / "store.sqlrec"
    shutil.copytree(trained, copy)
    return engine.open(copy)


def add_catalog_item(store, item_id, title=NEW_TITLE):
    """Copy item 1's row under a new id and title, as an ingest of a new item would."""
    with store.writer() as con:
        con.execute(
            "insert into items select * replace (? as item_id, ? as title) "
            "from items where item_id = 1",
            [item_id, title],
        )


def delete_catalog_item(store, item_id):
    with store.writer() as con:
        con.execute("delete from items where item_id = ?", [item_id])


def title_of(store, item_id):
    with store.connect() as con:
        return con.execute("select title from items where item_id = ?", [item_id]).fetchone()[0]


def served_ids(store, title):
    result = store.recommend(5, k=10, filters=[engine.Filter("title", "=", title)], exclude_seen=False)
    return result.item_ids()


def test_update_serves_changes_fresh_open(store):
    gone_title = title_of(store, 2)
    add_catalog_item(store, 90_001)
    delete_catalog_item(store, 2)

    result = update_index(store)

    fresh = engine.open(store.path)
    assert result.added_count == 1
    assert result.deleted_count == 1
    assert served_ids(fresh, NEW_TITLE) == [90_001]
    assert 2 not in served_ids(fresh, gone_title)
    assert fresh.manifest()["item_table_version"] == result.manifest["item_table_version"]
    assert fresh.manifest()["item_count"] == 150


def test_update_seen_by_other_process(store):
    add_catalog_item(store, 90_002)
    delete_catalog_item(store, 3)
    update_index(store)
    script = textwrap.dedent(
        f"""
        import json, engine
        store = engine.open({str(store.path)!r})
        index = store.recommender().index
        ids = index.snapshot().item_ids.tolist()
        print(json.dumps([90_002 in ids, 3 in ids]))
        """
    )

    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout) == [True, False]


def test_update_switches_open_handle(store):
    served_ids(store, NEW_TITLE)
    other = engine.open(store.path)
    add_catalog_item(other, 90_003)
    delete_catalog_item(other, 4)

    update_index(other)

    ids = store.recommender().index.snapshot().item_ids.tolist()
    assert 90_003 in ids
    assert 4 not in ids


def test_update_removes_direct_additions(store):
    manifest = store.manifest()
    index = ItemIndex(store.lance_path, manifest["item_table"])
    rows = index.table.to_lance().to_table(filter="item_id = 1")
    metadata = rows.drop_columns(["vector", "ivf_partition"])
    metadata = metadata.set_column(0, "item_id", pa.array([95_000], pa.int64()))
    index.add_items(metadata, np.ones((1, manifest["embedding_size"]), np.float32))

    result = update_index(store)

    assert result.deleted_count == 1
    assert result.added_count == 0
    assert 95_000 not in store.recommender().index.snapshot().item_ids.tolist()


def test_update_without_changes_keeps_manifest(store):
    before = store.manifest()

    result = update_index(store)

    assert result.added_count == 0
    assert result.deleted_count == 0
    assert store.manifest() == before


def test_update_failure_keeps_manifest(store):
    before = store.manifest()
    tower = store.version_path(before["version"]) / "item_tower.onnx"
    tower.rename(tower.with_suffix(".moved"))
    add_catalog_item(store, 90_004)
    delete_catalog_item(store, 5)

    with pytest.raises(engine.NotBuiltError, match="has no item tower"):
        update_index(store)

    assert store.manifest() == before
    assert ItemIndex(store.lance_path, before["item_table"]).table.version == before["item_table_version"]
    assert 5 in store.recommender().index.snapshot().item_ids.tolist()


def test_update_rejects_changed_columns(store):
    before = store.manifest()
    with store.writer() as con:
        con.execute("alter table items add column studio varchar")

    with pytest.raises(engine.NotBuiltError, match="new: studio; gone: none"):
        update_index(store)

    assert store.manifest() == before


def test_update_needs_active_version(tmp_path):
    bare = engine.open(tmp_path / "bare.sqlrec", create=True)

    with pytest.raises(engine.NotBuiltError, match="no active model version"):
        update_index(bare)


def table_versions(store):
    manifest = store.manifest()
    table = ItemIndex(store.lance_path, manifest["item_table"]).table
    return [v["version"] for v in table.to_lance().versions()]


def test_build_keeps_only_pinned_version(store):
    build_index(store)

    assert table_versions(store) == [store.manifest()["item_table_version"]]


def test_update_keeps_pinned_reader_working(store):
    before = store.recommend(5, k=5).item_ids()
    pinned = store.manifest()
    add_catalog_item(store, 90_005)

    update_index(store)

    active = store.manifest()["item_table_version"]
    assert active != pinned["item_table_version"]
    assert table_versions(store) == [active]
    reader = ItemIndex(store.lance_path, pinned["item_table"], active)
    assert reader.row_count() == 151
    assert len(reader.nearest(np.ones(pinned["embedding_size"], np.float32), 3)) == 3
    assert len(store.recommend(5, k=5)) == len(before)


def test_cleanup_keeps_versions_other_manifests_pin(store):
    manifest = store.manifest()
    index = ItemIndex(store.lance_path, manifest["item_table"])
    index.delete_items([7])
    other = dict(manifest, item_table_version=index.table_version)
    other_path = store.models_path / "v_other"
    other_path.mkdir()
    (other_path / "index.json").write_text(json.dumps(other))
    add_catalog_item(store, 90_006)
    delete_catalog_item(store, 8)

    update_index(store)

    versions = table_versions(store)
    assert index.table_version in versions
    assert store.manifest()["item_table_version"] in versions
    assert len(versions) == 2


def test_build_rejects_negative_seed(store):
    before = store.manifest()

    with pytest.raises(ValueError, match="invalid seed: -1"):
        build_index(store, seed=-1)

    assert store.manifest() == before
