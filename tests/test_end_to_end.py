"""The whole offline build and serving path on real MovieLens-100K and on the demo."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import engine
from cli import sqlrec
from engine.evaluation import evaluate
from engine.index import build_index
from engine.ingest import ingest_movielens
from engine.training import train

# Few epochs keep the suite fast; accuracy is measured by the benchmark. The
# hybrid gets the same towers, so it takes the served ones as its first fit.
FAST_TWO_TOWER = {"two_tower": {"epochs": 3}, "hybrid": {"two_tower": {"epochs": 3}}}


@pytest.fixture(scope="module")
def ml_store(tmp_path_factory, ml100k_dir):
    store = engine.open(tmp_path_factory.mktemp("ml") / "movies.sqlrec", create=True)
    ingest_movielens(store, ml100k_dir)
    train(store, params=FAST_TWO_TOWER, seed=1)
    build_index(store)
    return store


@pytest.mark.slow
def test_ml100k_recommend_returns_k_unseen(ml_store):
    seen = set(ml_store.recommender().seen_items(42).tolist())

    result = ml_store.recommend(42, k=10)

    assert len(result) == 10
    assert result.source == "two_tower"
    assert not seen & set(result.item_ids())
    assert [r.rank for r in result] == list(range(1, 11))


@pytest.mark.slow
def test_ml100k_genre_filter_holds(ml_store):
    result = ml_store.recommend(42, k=25, genre="Film-Noir")

    with ml_store.connect() as con:
        noir = {
            row[0]
            for row in con.execute(
                "select item_id from items where list_contains(genres, 'Film-Noir')"
            ).fetchall()
        }
    seen = set(ml_store.recommender().seen_items(42).tolist())
    assert len(result) == min(25, len(noir - seen))
    assert set(result.item_ids()) <= noir


@pytest.mark.slow
def test_ml100k_unknown_user_message(ml_store, runner):
    result = runner.invoke(sqlrec, ["--store", str(ml_store.path), "recommend", "--user", "99999"])

    assert result.exit_code != 0
    assert "unknown user: 99999" in result.output
    assert "--fallback popular" in result.output


@pytest.mark.slow
def test_ml100k_unknown_user_fallback_popular(ml_store, runner):
    result = runner.invoke(
        sqlrec,
        ["--store", str(ml_store.path), "recommend", "--user", "99999", "--fallback",
         "popular", "--json"],
    )

    payload = json.loads(result.output)
    assert result.exit_code == 0
    assert payload["source"] == "popular"
    assert len(payload["items"]) == 10
    assert payload["items"][0]["item_id"] == 50  # Star Wars has the most ratings


@pytest.mark.slow
def test_ml100k_evaluate_fingerprint(ml_store):
    result = evaluate(ml_store, "loo", models=["popular"])

    assert result.fingerprint == "b91f0b861aeb86d3"


@pytest.mark.slow
def test_catalog_opens_while_serving(ml_store):
    # The first process serves and keeps its recommender loaded while a second
    # process opens the catalog read-write, as the weekly build would.
    served = ml_store.recommend(1, k=5)
    script = textwrap.dedent(
        f"""
        import duckdb
        con = duckdb.connect({str(ml_store.catalog_path)!r})
        con.execute("create or replace table probe as select 1 as x")
        print(con.execute("select count(*) from interactions").fetchone()[0])
        con.close()
        """
    )

    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    served_again = ml_store.recommend(1, k=5)

    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "100000"
    assert served_again.item_ids() == served.item_ids()
