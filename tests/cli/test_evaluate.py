"""`sqlrec evaluate` through click's CliRunner, on a small hand-made store.

Three users with four interactions each over items 1-6. Under loo/final each
user's last item is held out, the table sorts models by recall@10, and --json
prints one object with the same numbers.
"""

from __future__ import annotations

import json

import pytest

import engine
from cli import sqlrec

INTERACTIONS = [
    (1, 1, "2024-03-01 08:00:00"),
    (1, 2, "2024-03-01 08:00:01"),
    (1, 3, "2024-03-01 08:00:02"),
    (1, 4, "2024-03-02 08:00:00"),
    (2, 1, "2024-03-01 09:00:00"),
    (2, 2, "2024-03-01 09:00:01"),
    (2, 4, "2024-03-01 09:00:02"),
    (2, 5, "2024-03-02 09:00:00"),
    (3, 1, "2024-03-01 10:00:00"),
    (3, 3, "2024-03-01 10:00:01"),
    (3, 4, "2024-03-01 10:00:02"),
    (3, 2, "2024-03-02 10:00:00"),
]


@pytest.fixture
def small_store(store_path):
    store = engine.open(store_path, create=True)
    with store.writer() as con:
        con.execute("create or replace table items (item_id bigint primary key, title varchar)")
        con.executemany(
            "insert into items values (?, ?)", [(i, f"item {i}") for i in range(1, 7)]
        )
        con.execute("create or replace table users (user_id bigint primary key)")
        con.execute("insert into users values (1), (2), (3)")
        con.executemany(
            "insert into interactions (user_id, item_id, timestamp) "
            "values (?, ?, ?::timestamp)",
            INTERACTIONS,
        )
    return store


def _invoke(runner, store, *args):
    return runner.invoke(sqlrec, ["--store", str(store.path), "evaluate", *args])


def test_evaluate_prints_fingerprint_table(runner, small_store):
    result = _invoke(runner, small_store, "--models", "popular,metadata")

    lines = result.stdout.splitlines()
    assert result.exit_code == 0, result.output
    assert lines[0].startswith("protocol loo (final), fingerprint ")
    assert "3 users, 9 fitted rows, 3 held-out rows" in lines[0]
    assert lines[1].split() == [
        "model",
        "recall@10",
        "recall@30",
        "recall@100",
        "ndcg@10",
        "mrr",
        "fit_seconds",
    ]
    assert sorted(line.split()[0] for line in lines[3:]) == ["metadata", "popular"]


def test_evaluate_table_sorted_by_recall(runner, small_store):
    result = _invoke(runner, small_store, "--models", "popular,metadata,item_knn")

    recalls = [float(line.split()[1]) for line in result.stdout.splitlines()[3:]]

    assert result.exit_code == 0, result.output
    assert len(recalls) == 3
    assert recalls == sorted(recalls, reverse=True)


def test_evaluate_json_object(runner, small_store, seed):
    result = _invoke(
        runner,
        small_store,
        "--protocol",
        "loo-shuffled",
        "--phase",
        "tune",
        "--models",
        "popular",
        "--seed",
        str(seed),
        "--json",
    )

    payload = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert payload["protocol"] == "loo-shuffled"
    assert payload["phase"] == "tune"
    assert payload["seed"] == seed
    assert len(payload["fingerprint"]) == 16
    assert [entry["model"] for entry in payload["models"]] == ["popular"]


def test_evaluate_json_matches_eval_runs(runner, small_store):
    result = _invoke(runner, small_store, "--models", "popular", "--json")

    payload = json.loads(result.stdout)
    with small_store.writer() as con:
        rows = con.execute("select run_id, recall_at_10, mrr from eval_runs").fetchall()
    entry = payload["models"][0]
    assert rows == [(payload["run_id"], entry["recall_at_10"], entry["mrr"])]


def test_evaluate_unknown_model(runner, small_store):
    result = _invoke(runner, small_store, "--models", "popular,nope")

    assert result.exit_code == 2
    assert "unknown model: nope, expected one of" in result.output


def test_evaluate_empty_models(runner, small_store):
    result = _invoke(runner, small_store, "--models", ",")

    assert result.exit_code == 2
    assert "invalid models: ','" in result.output


def test_evaluate_bad_protocol(runner, small_store):
    result = _invoke(runner, small_store, "--protocol", "kfold")

    assert result.exit_code == 2
    assert "'kfold' is not one of" in result.output


def test_evaluate_missing_store(runner, tmp_path):
    result = runner.invoke(
        sqlrec,
        ["--store", str(tmp_path / "absent.sqlrec"), "evaluate", "--models", "popular"],
    )

    assert result.exit_code == 1
    assert "Error: store not found" in result.output


def test_evaluate_no_users_is_click_error(runner, store_path):
    store = engine.open(store_path, create=True)
    with store.writer() as con:
        con.execute("create or replace table items (item_id bigint primary key)")
        con.execute("create or replace table users (user_id bigint primary key)")
        con.execute("insert into items values (1)")
        con.execute("insert into users values (1)")
        # One interaction: too few for leave-last-out to hold any out.
        con.execute(
            "insert into interactions (user_id, item_id, timestamp) "
            "values (1, 1, '2024-03-01 08:00:00'::timestamp)"
        )

    result = _invoke(runner, store, "--models", "popular")

    assert result.exit_code == 1
    assert "Error: no evaluated users in the loo/final split" in result.output


def test_evaluate_empty_store_names_ingest(runner, store_path):
    store = engine.open(store_path, create=True)

    result = _invoke(runner, store, "--models", "popular")

    assert result.exit_code == 1
    assert "Error: no interactions in" in result.output
    assert 'load data with "sqlrec ingest"' in result.output


def test_evaluate_repeated_models_option(runner, small_store):
    result = _invoke(
        runner, small_store, "--models", "popular", "--models", "item_knn", "--json"
    )

    assert result.exit_code == 0, result.output
    models = [entry["model"] for entry in json.loads(result.stdout)["models"]]
    assert models == ["popular", "item_knn"]


def test_evaluate_model_given_twice(runner, small_store):
    result = _invoke(runner, small_store, "--models", "popular,popular")

    assert result.exit_code == 2
    assert "model given twice: popular" in result.output


def test_evaluate_epochs_reach_two_towers(runner, small_store):
    result = _invoke(
        runner, small_store, "--models", "two_tower,hybrid", "--epochs", "2", "--json"
    )

    assert result.exit_code == 0, result.output
    params = {
        entry["model"]: entry["params"] for entry in json.loads(result.stdout)["models"]
    }
    assert params["two_tower"]["epochs"] == 2
    # The hybrid records each fitted part's parameters in full.
    assert params["hybrid"]["two_tower"]["epochs"] == 2
    assert params["hybrid"]["two_tower"]["embedding_size"] == 128
    assert "neighbour_count" in params["hybrid"]["item_knn"]


def test_evaluate_says_hybrid_time_includes_parts(runner, small_store):
    result = _invoke(
        runner,
        small_store,
        "--models",
        "item_knn,hybrid",
        "--param",
        "hybrid.two_tower_weight=0",
    )

    assert result.exit_code == 0, result.output
    assert "the hybrid's fit_seconds include the parts it took" in result.output


def test_evaluate_unused_epochs_warns(runner, small_store):
    result = _invoke(runner, small_store, "--models", "popular", "--epochs", "2")

    assert result.exit_code == 0, result.output
    assert "warning: --epochs 2 is ignored" in result.stderr
    assert "selected models are popular" in result.stderr
    assert "warning" not in result.stdout


def test_evaluate_used_epochs_no_warning(runner, small_store):
    result = _invoke(
        runner, small_store, "--models", "popular,two_tower", "--epochs", "1"
    )

    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr


def test_evaluate_param_overrides_epochs(runner, small_store):
    result = _invoke(
        runner, small_store, "--models", "two_tower,item_knn", "--epochs", "1",
        "--param", "two_tower.epochs=2", "--param", "item_knn.shrinkage=7.5",
        "--json",
    )

    assert result.exit_code == 0, result.output
    params = {
        entry["model"]: entry["params"] for entry in json.loads(result.stdout)["models"]
    }
    assert params["two_tower"]["epochs"] == 2
    assert params["item_knn"]["shrinkage"] == 7.5


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("item_knn.shrinkage", "invalid parameter: 'item_knn.shrinkage', expected"),
        ("nope.x=1", "unknown model: nope in 'nope.x=1'"),
        ("user_knn.shrinkage=5", "parameter of a model that is not selected"),
        ("popular.x=1", "popular takes no parameters (in 'popular.x=1')"),
        ("hybrid.two_tower=5", "expected a parameter of the part"),
        (
            "hybrid.sequence_linear=5",
            "part, such as hybrid.sequence_linear.recent_length=50",
        ),
    ],
)
def test_evaluate_bad_param_form(runner, small_store, value, message):
    result = _invoke(
        runner, small_store, "--models", "item_knn,hybrid", "--param", value
    )

    assert result.exit_code == 2
    assert message in result.output


def test_evaluate_rejects_repeated_param(runner, small_store):
    result = _invoke(
        runner,
        small_store,
        "--models",
        "item_knn",
        "--param",
        "item_knn.shrinkage=5",
        "--param",
        "item_knn.shrinkage=7",
    )

    assert result.exit_code == 2
    assert "parameter given twice: item_knn.shrinkage" in result.output


def test_evaluate_unknown_param_name(runner, small_store):
    result = _invoke(
        runner, small_store, "--models", "popular", "--param", "popular.bogus=1"
    )

    assert result.exit_code == 2
    message = "unknown parameter of popular: 'bogus', popular takes no parameters"
    assert message in result.output


def test_evaluate_bad_value_before_fit(runner, small_store):
    # The towers come first and take a while to fit. The bad value of the
    # model after them stops the run before any fit starts.
    result = _invoke(
        runner, small_store, "--models", "two_tower,item_knn",
        "--param", "item_knn.neighbour_count=abc",
    )

    assert result.exit_code == 2
    assert "model item_knn: invalid neighbour_count: 'abc'" in result.output
    assert "epoch" not in result.output


def test_evaluate_bad_flag_of_hybrid_part(runner, small_store):
    result = _invoke(
        runner, small_store, "--models", "hybrid",
        "--param", "hybrid.sequence_knn.directed=1",
    )

    assert result.exit_code == 2
    assert "the hybrid's sequence_knn part: invalid directed: 1" in result.output
    # The CLI printed the error and exited, so no exception escaped it.
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("seed", ["-1", str(2**32), "abc"])
def test_evaluate_seed_out_of_range(runner, small_store, seed):
    result = _invoke(runner, small_store, "--models", "popular", "--seed", seed)

    assert result.exit_code == 2
    assert "Invalid value for '--seed'" in result.output


def test_evaluate_help_names_units(runner):
    result = runner.invoke(sqlrec, ["evaluate", "--help"])

    assert result.exit_code == 0
    assert "--protocol [loo|loo-shuffled|temporal]" in result.output
    assert "fit time in" in result.output
    assert "seconds" in result.output
