"""evaluate() end to end: tables written, metrics, models argument, failures.

Hand computation on the tiny store (see conftest) with popularity under loo/final:
user 1's candidates 40, 50, 60 all score 0, so the held-out 40 ranks 1st. User 2's
candidates are 30 (score 2), then 40, 50, 60, so the held-out 50 ranks 3rd. User
3's held-out 20 (score 2) ranks 1st. Recall@10 is 1 for everyone, NDCG@10 is
(1 + 1/log2(4) + 1) / 3 = 5/6 and MRR (1 + 1/3 + 1) / 3 = 7/9.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.errors import NotBuiltError, StoreError
from engine.evaluation import evaluate
from engine.models import MODELS, PopularityScorer, Scorer, SequenceLinearScorer


class RecordingScorer(Scorer):
    """Zero scores for everyone; keeps what ``fit`` and ``score`` were given."""

    name = "recording"

    def fit(self, data, *, seed=0, progress=None):
        self.pairs_ = set(zip(data.user_ids[data.users], data.item_ids[data.items]))
        self.histories_ = {
            int(data.user_ids[user]): data.item_ids[data.history(user)].tolist()
            for user in range(data.user_count)
        }
        self.item_count_ = data.item_count
        self.seed_ = seed
        self.contexts_ = []
        return self

    def score(self, users, *, context=None):
        self.contexts_.append({key: value.copy() for key, value in context.items()})
        return np.zeros((len(users), self.item_count_), dtype=np.float32)


class FailingFitScorer(Scorer):
    name = "failing"

    def fit(self, data, *, seed=0, progress=None):
        raise RuntimeError("fit failed on purpose")


class CircularParamsScorer(PopularityScorer):
    """Fits and scores like popularity, but its params cannot be written as JSON."""

    def get_params(self):
        params = {}
        params["self"] = params
        return params


class ScoresScorer(Scorer):
    """Returns the fixed ``scores`` row for every user."""

    def __init__(self, scores):
        self.scores = scores

    def fit(self, data, *, seed=0, progress=None):
        return self

    def score(self, users, *, context=None):
        return np.tile(np.asarray(self.scores, dtype=np.float32), (len(users), 1))


def _rows(store, query):
    with store.writer() as con:
        return con.execute(query).fetchall()


def test_evaluate_popular_tiny_metrics(tiny_store):
    result = evaluate(tiny_store, models=["popular"])

    metrics = result.metrics("popular")
    assert metrics.recall_at_10 == pytest.approx(1.0)
    assert metrics.ndcg_at_10 == pytest.approx(5 / 6)
    assert metrics.mrr == pytest.approx(7 / 9)
    assert metrics.user_count == 3


def test_evaluate_writes_recommendations(tiny_store):
    evaluate(tiny_store, models=["popular"])

    rows = _rows(
        tiny_store,
        "select user_id, item_id, rank, score from recommendations "
        "where model = 'popular' order by user_id, rank",
    )

    assert rows == [
        (1, 40, 1, 0.0),
        (1, 50, 2, 0.0),
        (1, 60, 3, 0.0),
        (2, 30, 1, 2.0),
        (2, 40, 2, 0.0),
        (2, 50, 3, 0.0),
        (2, 60, 4, 0.0),
        (3, 20, 1, 2.0),
        (3, 40, 2, 0.0),
        (3, 50, 3, 0.0),
        (3, 60, 4, 0.0),
    ]


def test_evaluate_writes_holdout_ranks(tiny_store):
    evaluate(tiny_store, models=["popular"])

    holdout = _rows(tiny_store, "select * from holdout order by user_id")
    ranks = _rows(
        tiny_store,
        "select model, user_id, item_id, rank from holdout_ranks order by user_id",
    )

    assert holdout == [(1, 40), (2, 50), (3, 20)]
    assert ranks == [
        ("popular", 1, 40, 1),
        ("popular", 2, 50, 3),
        ("popular", 3, 20, 1),
    ]


def test_evaluate_fits_fitted_part_only(tiny_store, seed):
    scorer = RecordingScorer()

    evaluate(tiny_store, models={"recording": scorer}, seed=seed)

    assert scorer.pairs_ == {
        (1, 10),
        (1, 20),
        (1, 30),
        (2, 10),
        (2, 20),
        (3, 10),
        (3, 30),
    }
    assert scorer.seed_ == seed


def test_evaluate_context_first_holdout_time(tiny_store):
    scorer = RecordingScorer()

    evaluate(tiny_store, models={"recording": scorer})

    (context,) = scorer.contexts_
    assert context["hour"].tolist() == [13, 23, 0]
    assert context["weekday"].tolist() == [1, 6, 7]
    assert context["hour"].dtype == np.int64
    assert context["weekday"].dtype == np.int64
    assert context["timestamp"].dtype == np.int64
    hours = (context["timestamp"] // 3600) % 24
    assert hours.tolist() == [13, 23, 0]


def test_evaluate_shuffled_sequence_order(tiny_store):
    # Items 5 and 10 of user 1 share a second. loo orders them by item id, while
    # loo-shuffled puts 10 first because SHA-256("1,10") = 3d53... sorts before
    # SHA-256("1,5") = e10f...
    with tiny_store.writer() as con:
        con.execute("insert into items values (5, 'item 5')")
        con.execute(
            "insert into interactions (user_id, item_id, timestamp) "
            "values (1, 5, '2023-12-31 10:00:00')"
        )
    loo, shuffled = RecordingScorer(), RecordingScorer()

    evaluate(tiny_store, "loo", models={"recording": loo})
    evaluate(tiny_store, "loo-shuffled", models={"recording": shuffled})

    assert loo.histories_[1] == [5, 10, 20, 30]
    assert shuffled.histories_[1] == [10, 5, 20, 30]


def test_evaluate_ties_lower_item_first(tiny_store):
    # Every item scores the same, so each list is in item id order.
    scorer = ScoresScorer([1.0] * 6)

    evaluate(tiny_store, models={"flat": scorer})

    rows = _rows(
        tiny_store,
        "select item_id from recommendations where user_id = 2 order by rank",
    )
    assert rows == [(30,), (40,), (50,), (60,)]


def test_evaluate_nan_scores_rejected(tiny_store):
    scorer = ScoresScorer([np.nan] * 6)

    with pytest.raises(ValueError, match="invalid scores: NaN found"):
        evaluate(tiny_store, models={"nan": scorer})


def test_evaluate_wrong_shape_rejected(tiny_store):
    scorer = ScoresScorer([1.0] * 5)

    with pytest.raises(
        ValueError, match=r"invalid scores from model 'short': shape \(3, 5\)"
    ):
        evaluate(tiny_store, models={"short": scorer})


def test_evaluate_records_run(tiny_store, seed):
    result = evaluate(tiny_store, models={"popular": {}}, seed=seed)

    rows = _rows(
        tiny_store,
        "select run_id, protocol, phase, fingerprint, model, user_count, seed, params "
        "from eval_runs",
    )

    assert rows == [
        (result.run_id, "loo", "final", result.fingerprint, "popular", 3, seed, "{}")
    ]


def test_evaluate_run_history_grows(tiny_store):
    evaluate(tiny_store, models=["popular"])
    evaluate(tiny_store, "temporal", phase="tune", models=["popular"])

    runs = _rows(tiny_store, "select protocol, phase from eval_runs order by protocol")

    assert runs == [("loo", "final"), ("temporal", "tune")]


def test_evaluate_params_json(tiny_store):
    evaluate(tiny_store, models={"item_knn": {"neighbour_count": 2}})

    (params,) = _rows(tiny_store, "select params from eval_runs")[0]

    assert json.loads(params)["neighbour_count"] == 2


def test_evaluate_failed_fit_writes_nothing(tiny_store):
    evaluate(tiny_store, models=["popular"])
    before = _rows(tiny_store, "select count(*) from eval_runs")

    with pytest.raises(RuntimeError, match="fit failed on purpose"):
        evaluate(tiny_store, models={"failing": FailingFitScorer()})

    assert _rows(tiny_store, "select count(*) from eval_runs") == before


def test_evaluate_failed_write_rolls_back(tiny_store):
    evaluate(tiny_store, models=["popular"])
    tables = ("recommendations", "holdout", "holdout_ranks", "eval_runs")
    before = {
        name: _rows(tiny_store, f"select * from {name} order by all") for name in tables
    }

    with pytest.raises(ValueError, match="Circular reference"):
        evaluate(tiny_store, "temporal", models={"circular": CircularParamsScorer()})

    after = {
        name: _rows(tiny_store, f"select * from {name} order by all") for name in tables
    }
    assert after == before


def test_evaluate_lock_released_after_failure(tiny_store):
    with pytest.raises(RuntimeError):
        evaluate(tiny_store, models={"failing": FailingFitScorer()})

    result = evaluate(tiny_store, models=["popular"])

    assert result.user_count == 3


def test_evaluate_progress_per_model(tiny_store):
    calls = []

    evaluate(
        tiny_store,
        models=["popular", "metadata"],
        progress=lambda step, total, message: calls.append((step, total, message)),
    )

    per_model = [call for call in calls if call[2].startswith("model ")]
    assert per_model == [
        (0, 2, "model popular"),
        (1, 2, "model popular done"),
        (1, 2, "model metadata"),
        (2, 2, "model metadata done"),
    ]
    # Each fit reports through the same callback, between its model's calls.
    messages = [message for _, _, message in calls]
    assert messages.index("popular item counts") < messages.index("model popular done")


def test_evaluate_default_all_models(tiny_store, monkeypatch):
    # Keep two cheap models registered, so the test does not depend on the rest.
    for name in list(MODELS):
        if name not in ("popular", "metadata"):
            monkeypatch.delitem(MODELS, name)

    result = evaluate(tiny_store)

    assert [entry.model for entry in result.models] == ["metadata", "popular"]


def test_evaluate_default_leaves_out_models_over_item_limit(tiny_store, monkeypatch):
    for name in list(MODELS):
        if name not in ("popular", "sequence_linear"):
            monkeypatch.delitem(MODELS, name)
    monkeypatch.setattr(SequenceLinearScorer, "max_items", 1)

    every = evaluate(tiny_store)
    # Named, the model is fitted and fails with its own message.
    with pytest.raises(ValueError, match="expected at most 1 "):
        evaluate(tiny_store, models=["sequence_linear"])

    assert [entry.model for entry in every.models] == ["popular"]


def test_evaluate_unknown_model(tiny_store):
    with pytest.raises(ValueError, match="unknown model: 'nope'"):
        evaluate(tiny_store, models=["nope"])


def test_evaluate_unknown_parameter(tiny_store):
    with pytest.raises(ValueError, match="unknown parameter of popular: 'bogus'"):
        evaluate(tiny_store, models={"popular": {"bogus": 1}})


def test_evaluate_checks_every_model_before_fitting(tiny_store):
    recording = RecordingScorer()
    models = {"recording": recording, "item_knn": {"neighbour_count": "abc"}}

    message = "model item_knn: invalid neighbour_count: 'abc'"
    with pytest.raises(ValueError, match=message):
        evaluate(tiny_store, models=models)

    # Nothing was fitted, and no result table was created.
    assert not hasattr(recording, "pairs_")
    with tiny_store.connect(read_only=True) as con:
        tables = {row[0] for row in con.execute("show tables").fetchall()}
    assert "eval_runs" not in tables


def test_evaluate_checks_hybrid_parts_before_fitting(tiny_store):
    models = {"hybrid": {"sequence_knn": {"window": 0}}}

    message = "model hybrid: the hybrid's sequence_knn part: invalid window: 0"
    with pytest.raises(ValueError, match=message):
        evaluate(tiny_store, models=models)


def test_evaluate_duplicate_model(tiny_store):
    with pytest.raises(ValueError, match="expected each name once"):
        evaluate(tiny_store, models=["popular", "popular"])


def test_evaluate_bad_model_params_type(tiny_store):
    with pytest.raises(TypeError, match="invalid parameters for model 'popular': int"):
        evaluate(tiny_store, models={"popular": 3})


@pytest.mark.parametrize(
    ("protocol", "phase", "message"),
    [
        ("kfold", "final", "invalid protocol: 'kfold'"),
        ("loo", "test", "invalid phase: 'test'"),
    ],
)
def test_evaluate_bad_split_names(tiny_store, protocol, phase, message):
    with pytest.raises(ValueError, match=message):
        evaluate(tiny_store, protocol, phase=phase, models=["popular"])


def test_evaluate_no_evaluated_users(tmp_path):
    import engine

    store = engine.open(tmp_path / "empty.sqlrec", create=True)
    with store.writer() as con:
        con.execute("create or replace table items (item_id bigint primary key)")
        con.execute("create or replace table users (user_id bigint primary key)")
        con.execute("insert into items values (1), (2)")
        con.execute(
            "insert into interactions (user_id, item_id, timestamp) "
            "values (1, 1, '2024-01-01')"
        )

    with pytest.raises(ValueError, match="no evaluated users in the loo/final split"):
        evaluate(store, models=["popular"])


def test_evaluate_missing_tables(tmp_path):
    import engine

    store = engine.open(tmp_path / "bare.sqlrec", create=True)
    with store.writer() as con:
        con.execute("drop table items")
        con.execute("drop table users")

    with pytest.raises(NotBuiltError, match="missing catalog tables: items, users"):
        evaluate(store, models=["popular"])


def test_evaluate_missing_store(tmp_path):
    with pytest.raises(StoreError, match="store not found"):
        evaluate(tmp_path / "absent.sqlrec", models=["popular"])


def test_evaluate_result_to_dict(tiny_store):
    result = evaluate(tiny_store, models=["popular"])

    payload = json.loads(json.dumps(result.to_dict()))

    assert payload["fingerprint"] == result.fingerprint
    assert payload["models"][0]["model"] == "popular"
    assert payload["models"][0]["mrr"] == pytest.approx(7 / 9)


@pytest.mark.slow
def test_evaluate_ml100k_popular_recall(ml100k_store):
    result = evaluate(ml100k_store, "loo", models=["popular"])

    assert result.fingerprint == "b91f0b861aeb86d3"
    assert result.user_count == 943
    assert result.metrics("popular").recall_at_10 == pytest.approx(0.050, abs=0.003)


@pytest.mark.slow
def test_evaluate_ml100k_ranks_match_lists(ml100k_store):
    evaluate(ml100k_store, "temporal", models=["popular", "item_knn"])

    # A held-out item ranked within the top 100 must sit at that rank in the list.
    mismatched = _rows(
        ml100k_store,
        "select count(*) from holdout_ranks as h "
        "left join recommendations as r "
        "on r.model = h.model and r.user_id = h.user_id and r.rank = h.rank "
        "where h.rank <= 100 and (r.item_id is null or r.item_id <> h.item_id)",
    )
    lists = _rows(
        ml100k_store,
        "select min(n), max(n) from (select count(*) as n from recommendations "
        "group by model, user_id)",
    )

    assert mismatched == [(0,)]
    assert lists == [(100, 100)]


@pytest.mark.slow
def test_evaluate_ml100k_excludes_fitted(ml100k_store):
    evaluate(ml100k_store, "loo", phase="tune", models=["popular"])

    overlap = _rows(
        ml100k_store,
        "select count(*) from recommendations join ("
        "select user_id, item_id from protocol_split('interactions', "
        "protocol := 'loo', phase := 'tune') where part = 'fitted'"
        ") using (user_id, item_id)",
    )

    assert overlap == [(0,)]


def test_evaluate_empty_store_names_ingest(tmp_path):
    import engine

    store = engine.open(tmp_path / "empty.sqlrec", create=True)

    with pytest.raises(NotBuiltError, match='no interactions in .*"sqlrec ingest"'):
        evaluate(store, models=["popular"])


def test_evaluate_hybrid_takes_fitted_two_towers(tiny_store, seed):
    small = {"embedding_size": 8, "hidden_size": 8, "history_length": 3, "epochs": 2}
    calls = []

    result = evaluate(
        tiny_store,
        models={
            "hybrid": {"two_tower": small, "two_tower_fits": 2},
            "two_tower": small,
        },
        seed=seed,
        progress=lambda done, total, message: calls.append(message),
    )

    # The hybrid is listed as requested but fits after the two towers, and
    # takes them as its first fit: two fits in all, two epochs each.
    assert [entry.model for entry in result.models] == ["hybrid", "two_tower"]
    epochs = [m for m in calls if m.startswith("two_tower epoch") and "loss" in m]
    assert len(epochs) == 4
    assert calls.index("model two_tower") < calls.index("model hybrid")
    hybrid, two_tower = result.models
    assert hybrid.fit_seconds >= two_tower.fit_seconds
