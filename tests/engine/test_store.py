import json

import pytest

import engine
from engine.errors import StoreError
from engine.store import CATALOG_STORAGE_VERSION


def test_open_missing_store_names_fix(tmp_path):
    with pytest.raises(StoreError, match='store not found: .*sqlrec ingest'):
        engine.open(tmp_path / "absent.sqlrec")


def test_open_folder_without_catalog(tmp_path):
    (tmp_path / "photos").mkdir()

    with pytest.raises(StoreError, match="not a store: .*photos exists but has no catalog"):
        engine.open(tmp_path / "photos")


def test_open_create_makes_layout(store_path):
    store = engine.open(store_path, create=True)

    assert store.catalog_path.is_file()
    assert store.lance_path.is_dir()
    assert store.models_path.is_dir()


def test_store_path_that_is_a_file(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")

    with pytest.raises(StoreError, match="store path is a file"):
        engine.open(path, create=True)


def test_macros_load_read_only(store_path):
    store = engine.open(store_path, create=True)

    with store.connect(read_only=True) as con:
        macros = con.execute(
            "select count(*) from duckdb_functions() where function_type = 'table_macro'"
        ).fetchone()[0]

    assert macros > 0


def test_opening_leaves_no_macro_in_catalog(store_path):
    store = engine.open(store_path, create=True)
    with store.connect():
        pass

    import duckdb

    con = duckdb.connect(str(store.catalog_path), read_only=True)
    persisted = con.execute(
        "select count(*) from duckdb_functions() where function_type = 'table_macro' "
        "and database_name = 'catalog'"
    ).fetchone()[0]
    con.close()
    assert persisted == 0


def test_promote_replaces_manifest(store_path):
    store = engine.open(store_path, create=True)

    store.promote({"version": "v1"})
    store.promote({"version": "v2"})

    assert store.manifest() == {"version": "v2"}
    assert json.loads(store.manifest_path.read_text())["version"] == "v2"
    assert not list(store.path.glob(".manifest-*"))


def test_manifest_none_before_promotion(store_path):
    assert engine.open(store_path, create=True).manifest() is None


def test_writer_lock_excludes_second_job(store_path):
    first = engine.open(store_path, create=True)
    second = engine.Store(store_path)

    with first.lock():
        with pytest.raises(StoreError, match="another offline job holds the writer lock"):
            with second.lock():
                pass


def test_writer_lock_is_reentrant(store_path):
    store = engine.open(store_path, create=True)

    with store.lock():
        with store.writer() as con:
            value = con.execute("select 42").fetchone()[0]

    assert value == 42


def test_recommend_before_build_names_fix(store_path):
    store = engine.open(store_path, create=True)

    with pytest.raises(engine.NotBuiltError, match='run "sqlrec train" then "sqlrec index"'):
        store.recommend(1)


def test_writer_waits_for_short_reader(store_path, hold_catalog):
    store = engine.open(store_path, create=True, open_timeout=60)
    reader = hold_catalog(store.catalog_path, seconds=1.5)

    with store.writer() as con:
        con.execute("create table written as select 1 as x")

    assert reader.wait(timeout=60) == 0
    with store.connect() as con:
        assert con.execute("select x from written").fetchall() == [(1,)]


def test_reader_blocks_writer_past_timeout(store_path, hold_catalog):
    store = engine.open(store_path, create=True, open_timeout=0.3)
    hold_catalog(store.catalog_path)

    with pytest.raises(StoreError) as raised:
        with store.writer():
            pass

    message = str(raised.value)
    assert "is open in another process" in message
    assert "read-write" not in message
    assert "timed out after 0.3s" in message
    assert '"sqlrec sql" prompt' in message
    assert "SQLREC_OPEN_TIMEOUT" in message
    assert "PID" in message


def test_readers_share_catalog(store_path, hold_catalog):
    store = engine.open(store_path, create=True, open_timeout=0)
    hold_catalog(store.catalog_path)

    with store.connect() as con:
        assert con.execute("select 1").fetchone() == (1,)


@pytest.mark.parametrize("value", ["abc", "-1", "inf", "nan"])
def test_open_timeout_env_invalid(store_path, monkeypatch, value):
    store = engine.open(store_path, create=True)
    monkeypatch.setenv("SQLREC_OPEN_TIMEOUT", value)

    with pytest.raises(StoreError, match=f"invalid SQLREC_OPEN_TIMEOUT: '{value}'"):
        with store.connect():
            pass


def test_open_timeout_env_used(store_path, hold_catalog, monkeypatch):
    store = engine.open(store_path, create=True)
    monkeypatch.setenv("SQLREC_OPEN_TIMEOUT", "0.2")
    hold_catalog(store.catalog_path)

    with pytest.raises(StoreError, match="timed out after 0.2s"):
        with store.writer():
            pass


def test_new_catalog_storage_version(store_path):
    store = engine.open(store_path, create=True)

    with store.connect() as con:
        [(tags,)] = con.execute(
            "select tags from duckdb_databases() where database_name = current_database()"
        ).fetchall()

    assert tags["storage_version"].startswith(CATALOG_STORAGE_VERSION)
