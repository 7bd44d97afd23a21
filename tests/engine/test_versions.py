import shutil

import pytest

import engine
from engine.demo import generate_demo
from engine.errors import StoreError
from engine.index import build_index
from engine.ingest import ingest_files
from engine.training import train
from engine.versions import list_versions, prune_versions

_TOWERS = {"two_tower": {"epochs": 1}}


@pytest.fixture(scope="module")
def built_store(tmp_path_factory):
    # Version 1 has towers and is served; versions 2 and 3 are neighbourhood only.
    path = tmp_path_factory.mktemp("versions") / "demo.sqlrec"
    store = engine.open(path, create=True)
    demo = generate_demo(seed=2, user_count=60, item_count=100)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)
    train(store, models=["two_tower"], params=_TOWERS, seed=2)
    build_index(store)
    train(store, models=["popular"], seed=2)
    train(store, models=["item_knn"], seed=2)
    return path


@pytest.fixture
def store(built_store, tmp_path):
    copy = tmp_path / "copy.sqlrec"
    shutil.copytree(built_store, copy)
    return engine.open(copy)


def _removed_at(store):
    with store.connect() as con:
        return dict(
            con.execute("select version, removed_at from model_versions").fetchall()
        )


def test_list_versions_marks_active_and_indexed(store):
    infos = list_versions(store)

    assert [info.models for info in infos] == [["two_tower"], ["popular"], ["item_knn"]]
    assert [info.active for info in infos] == [True, False, False]
    assert [info.indexed for info in infos] == [True, False, False]
    assert all(info.size_bytes > 0 for info in infos)
    assert infos[1].parent == infos[0].version


def test_prune_keeps_newest_and_served(store):
    served, middle, newest = (info.version for info in list_versions(store))

    result = prune_versions(store, keep=1)

    assert result.removed == [middle]
    assert result.kept == [served, newest]
    assert result.freed_bytes > 0
    assert not store.version_path(middle).exists()
    assert store.version_path(served).is_dir()
    assert _removed_at(store)[middle] is not None
    assert _removed_at(store)[newest] is None
    assert not list(store.models_path.glob(".trash-*"))
    assert store.recommend(1, k=3)


def test_prune_dry_run_changes_nothing(store):
    before = list_versions(store)

    result = prune_versions(store, keep=1, dry_run=True)

    assert len(result.removed) == 1
    assert list_versions(store) == before


def test_prune_drops_table_of_old_index(store):
    old = list_versions(store)[0].version
    train(store, models=["two_tower"], params=_TOWERS, seed=2)
    build_index(store)

    result = prune_versions(store, keep=1)

    assert old in result.removed
    assert not (store.lance_path / f"items_{old}.lance").exists()
    assert len(list(store.lance_path.glob("items_*.lance"))) == 1
    assert store.recommend(1, k=3)


def test_prune_with_busy_catalog_keeps_store(store, hold_catalog):
    before = list_versions(store)
    hold_catalog(store.catalog_path)

    with pytest.raises(StoreError):
        prune_versions(store, keep=1)

    assert all(store.version_path(info.version).is_dir() for info in before)
    assert not list(store.models_path.glob(".trash-*"))


def test_prune_store_without_removed_column(store):
    with store.writer() as con:
        con.execute("alter table model_versions drop column removed_at")
    assert all(info.removed_at is None for info in list_versions(store))

    result = prune_versions(store, keep=1)

    assert len(result.removed) == 1
    assert _removed_at(store)[result.removed[0]] is not None


@pytest.mark.parametrize("keep", [0, -1, 1.5, True, "2"])
def test_prune_rejects_bad_keep(store, keep):
    with pytest.raises(ValueError, match="invalid keep"):
        prune_versions(store, keep=keep)
