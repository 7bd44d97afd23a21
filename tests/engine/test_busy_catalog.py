"""Offline jobs while a second process keeps the catalog open read-only.

The jobs write the catalog only after fitting, so they must fail before any
model fits, with the lock message, and leave the store as it was.
"""

from __future__ import annotations

import re
import time

import pytest

import engine
from engine.demo import generate_demo
from engine.errors import StoreError
from engine.evaluation import evaluate
from engine.ingest import ingest_files
from engine.training import train

OPEN_TIMEOUT = 0.3


@pytest.fixture
def demo_store(store_path):
    store = engine.open(store_path, create=True)
    demo = generate_demo(seed=1, user_count=40, item_count=60)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)
    return engine.open(store_path, open_timeout=OPEN_TIMEOUT)


def _store_state(store) -> tuple:
    """Return the catalog's tables, its model version count and the model folders."""
    with store.connect() as con:
        tables = con.execute(
            "select table_name from duckdb_tables() "
            "where database_name = current_database() order by table_name"
        ).fetchall()
        versions = con.execute("select count(*) from model_versions").fetchone()
    return tables, versions, sorted(p.name for p in store.models_path.iterdir())


def _assert_lock_message(message: str, holder_pid: int) -> None:
    assert "is open in another process" in message
    assert f"timed out after {OPEN_TIMEOUT:g}s" in message
    assert f"(PID {holder_pid}, " in message
    assert f"ps -p {holder_pid}" in message


def test_train_fails_before_fitting(demo_store, hold_catalog):
    before = _store_state(demo_store)
    holder = hold_catalog(demo_store.catalog_path)
    progress_calls = []

    started = time.monotonic()
    with pytest.raises(StoreError) as raised:
        train(
            demo_store,
            models=["two_tower"],
            params={"two_tower": {"epochs": 50}},
            progress=lambda *args: progress_calls.append(args),
        )
    elapsed = time.monotonic() - started
    holder.kill()
    holder.wait()

    _assert_lock_message(str(raised.value), holder.pid)
    assert progress_calls == []
    assert elapsed < 30
    assert _store_state(demo_store) == before


def test_evaluate_fails_before_fitting(demo_store, hold_catalog):
    before = _store_state(demo_store)
    holder = hold_catalog(demo_store.catalog_path)
    progress_calls = []

    with pytest.raises(StoreError) as raised:
        evaluate(
            demo_store,
            models=["popular", "item_knn"],
            progress=lambda *args: progress_calls.append(args),
        )
    holder.kill()
    holder.wait()

    _assert_lock_message(str(raised.value), holder.pid)
    assert progress_calls == []
    assert _store_state(demo_store) == before


def test_lock_message_keeps_executable_path(demo_store, hold_catalog):
    holder = hold_catalog(demo_store.catalog_path)

    with pytest.raises(StoreError) as raised:
        demo_store.check_writable()

    found = re.search(r"\(PID (\d+), (/\S+);", str(raised.value))
    assert found is not None
    assert int(found.group(1)) == holder.pid
    assert "python" in found.group(2)
