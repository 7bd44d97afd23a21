import json

import pytest

import engine
from cli import sqlrec
from engine.demo import generate_demo
from engine.index import build_index
from engine.ingest import ingest_files
from engine.training import train


@pytest.fixture(scope="module")
def served_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("recommend") / "demo.sqlrec"
    store = engine.open(path, create=True)
    demo = generate_demo(seed=6, user_count=80, item_count=150)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)
    train(store, models=["popular", "two_tower"], params={"two_tower": {"epochs": 1}}, seed=6)
    build_index(store)
    return path


def recommend(runner, path, *args):
    return runner.invoke(sqlrec, ["--store", str(path), "recommend", *args])


@pytest.mark.parametrize("extra", [[], ["--include-seen"]])
def test_recommend_zero_match_filter(runner, served_store, extra):
    result = recommend(runner, served_store, "--user", "3", "--filter", "year>3000", *extra)

    assert result.exit_code == 0, result.output
    assert "no item matches --filter year>3000 (check the values" in result.output
    assert "Traceback" not in result.output


def test_recommend_zero_match_names_genre(runner, served_store):
    result = recommend(
        runner, served_store, "--user", "3", "--genre", "Nope", "--filter", "year>1"
    )

    assert result.exit_code == 0, result.output
    assert "no item matches --genre Nope --filter year>1" in result.output


def test_recommend_genre_in_other_case(runner, served_store):
    store = engine.open(served_store)
    genres = store.recommender().index.snapshot().metadata.column("genres")
    genre = genres.combine_chunks().flatten()[0].as_py()

    result = recommend(runner, served_store, "--user", "3", "--genre", genre.upper())

    assert result.exit_code == 0, result.output
    assert f"did you mean --genre {genre}?" in result.output


def test_recommend_zero_match_json(runner, served_store):
    result = recommend(
        runner, served_store, "--user", "3", "--filter", "year>3000", "--json"
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["items"] == []


def seen_and_unseen(path, user_id=3):
    store = engine.open(path)
    seen = store.recommender().seen_items(user_id)
    with store.connect() as con:
        unseen = con.execute(
            "select min(item_id) from items where item_id not in (select unnest(?))",
            [seen.tolist()],
        ).fetchone()[0]
    return int(seen[0]), unseen


def test_recommend_only_seen_items_match(runner, served_store):
    seen, _ = seen_and_unseen(served_store)

    result = recommend(runner, served_store, "--user", "3", "--filter", f"item_id={seen}")

    assert result.exit_code == 0, result.output
    assert "every item that matches the filters (1) is one the user has already seen" in result.output
    assert "--include-seen" in result.output


def test_recommend_shortfall_counts_unseen(runner, served_store):
    seen, unseen = seen_and_unseen(served_store)

    result = recommend(
        runner, served_store, "--user", "3", "--filter", f"item_id={seen}|{unseen}"
    )

    assert result.exit_code == 0, result.output
    assert "only 1 unseen item matches the filters (1 more the user has seen" in result.output


def test_recommend_shortfall_include_seen(runner, served_store):
    seen, unseen = seen_and_unseen(served_store)

    result = recommend(
        runner, served_store, "--user", "3", "--include-seen",
        "--filter", f"item_id={seen}|{unseen}",
    )

    assert result.exit_code == 0, result.output
    assert "only 2 items match the filters" in result.output
    assert "--include-seen" not in result.output


def test_recommend_filter_out_of_range(runner, served_store):
    result = recommend(runner, served_store, "--user", "3", "--filter", "year<99999999999")

    assert result.exit_code == 2
    assert "--filter" in result.output
    assert "the range of its type" in result.output
