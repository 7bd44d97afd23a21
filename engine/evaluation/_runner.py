"""Offline evaluation run: split, fit every model, rank the catalogue, score in SQL.

A run holds the store's writer lock from start to end, but opens the catalog only
twice: briefly to build the split and load the fitted part, and at the end to write,
in one transaction:

- ``holdout(user_id, item_id)``: the held-out pairs of the split;
- ``recommendations(model, user_id, item_id, rank, score)``: the top 100 candidates
  of every evaluated user for every model;
- ``holdout_ranks(model, user_id, item_id, rank)``: each held-out item's full rank
  among the user's candidates, NULL when the item is one of the user's fitted items;
- one ``eval_runs`` row per model with the metrics, computed from those tables by
  the ``summary_metrics`` macro.

The first three tables are replaced by each run, while ``eval_runs`` keeps every run.
A run that fails while fitting writes nothing, and one that fails while writing is
rolled back, so the catalog stays as it was.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from engine.errors import NotBuiltError
from engine.evaluation._protocols import Split, build_split, check_protocol
from engine.evaluation._ranking import fitted_mask, rank_candidates
from engine.evaluation._tables import (
    append_rows,
    create_result_tables,
    record_run,
    summary_metrics,
)
from engine.features import InteractionData
from engine.models import MODELS, Progress, Scorer, get_model
from engine.models._checks import check_scorers, fits_catalogue
from engine.models._hybrid import HybridScorer, fit_in_build, resolved_params
from engine.store import Store

_log = logging.getLogger(__name__)

#: Length of the stored list per user and model; recall@100 needs 100.
RECOMMENDATION_K = 100

#: Model names, or a mapping of names to constructor parameters or unfitted scorers.
ModelSpec = Sequence[str] | Mapping[str, Mapping[str, Any] | Scorer | None]

# Users per scoring batch are chosen so that one batch has about this many
# (user, item) cells, because the ranking keeps four arrays of that size.
_BATCH_CELLS = 1 << 21

# Tables the split and the fitted data are read from.
_INPUT_TABLES = ("interactions", "items", "users")


@dataclass(frozen=True)
class ModelMetrics:
    """Metrics of one model in one run, each a plain mean over the evaluated users."""

    model: str
    recall_at_10: float
    recall_at_30: float
    recall_at_100: float
    ndcg_at_10: float
    mrr: float
    user_count: int
    fit_seconds: float
    params: dict[str, Any]


@dataclass(frozen=True)
class EvaluationResult:
    """Outcome of :func:`evaluate`: the split, its fingerprint, each model's metrics."""

    run_id: str
    protocol: str
    phase: str
    fingerprint: str
    fitted_count: int
    holdout_count: int
    user_count: int
    seed: int
    models: tuple[ModelMetrics, ...]

    def metrics(self, model: str) -> ModelMetrics:
        """Return the metrics of ``model``; ``KeyError`` when it was not evaluated."""
        for entry in self.models:
            if entry.model == model:
                return entry
        raise KeyError(f"model not evaluated in this run: {model!r}")

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON-ready values."""
        return asdict(self) | {"models": [asdict(entry) for entry in self.models]}


@dataclass(frozen=True)
class _Targets:
    """Evaluated users with their held-out items and scoring context.

    ``user_ids`` are original ids, ascending, and ``users`` the matching user
    indices of the fitted data. ``offsets`` (user_count + 1) delimit each user's run
    in ``holdout_items`` (item indices). ``context`` contains ``hour``, ``weekday``
    and ``timestamp`` aligned with ``users``, and ``pairs`` the ``holdout`` table rows.
    """

    user_ids: np.ndarray
    users: np.ndarray
    offsets: np.ndarray
    holdout_items: np.ndarray
    context: dict[str, np.ndarray]
    pairs: pa.Table


def evaluate(
    store: Store | str | os.PathLike[str],
    protocol: str = "loo",
    *,
    phase: str = "final",
    models: ModelSpec | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> EvaluationResult:
    """Evaluate recommenders offline on one protocol split of the store's interactions.

    Each model is fitted on the fitted part only, then scores every catalogue item
    for every evaluated user. The user's fitted items are excluded, and the rest are
    ordered by score descending, ties to the lower item id. The context passed to
    ``score`` contains the UTC hour (0-23), the ISO weekday (1 = Monday) and the unix
    seconds (``timestamp``) of the user's first held-out interaction. Metrics are
    recall@10, recall@30, recall@100, NDCG@10 and MRR.

    Parameters
    ----------
    store : Store or path
        The store to read the interactions from and write the results to.
    protocol : {"loo", "loo-shuffled", "temporal"}, default="loo"
        The split, whose rules :func:`build_split` states.
    phase : {"final", "tune"}, default="final"
        ``tune`` holds out the validation part, for choosing hyperparameters.
    models : sequence of str, or mapping, optional
        Registry names from ``engine.models.MODELS``. By default all of them,
        less those whose ``max_items`` the catalogue passes. A
        mapping takes each name to constructor parameters, or to an unfitted
        :class:`Scorer`, whose results are then stored under that name.
    seed : int, default=0
        Passed to every ``fit``.
    progress : callable, optional
        ``progress(step, total, message)``, called before each model with the
        number of models done so far and after it, with the message
        ``"model <name>"`` and ``"model <name> done"``. Each model's ``fit``
        gets it too, so its epochs report through it.

    Notes
    -----
    A hybrid fits after the other models and takes the parts fitted here with
    the same parameters instead of fitting copies. Its reported fit time then
    includes those parts' fit times.

    Returns
    -------
    EvaluationResult

    Raises
    ------
    ValueError
        For an unknown protocol, phase or model, a split without evaluated users, or
        scores of the wrong shape or with NaN.
    StoreError
        When the store is missing or another job holds its writer lock.
    NotBuiltError
        When the catalog has no ``interactions``, ``items`` or ``users`` table.

    See Also
    --------
    build_split : the split alone, with its fingerprint.
    """
    check_protocol(protocol, phase)
    every_model = models is None
    scorers = _resolve_models(models)
    check_scorers(scorers)
    if not isinstance(store, Store):
        from engine.store import open as open_store

        store = open_store(store)

    with store.lock():
        with store.writer() as con:
            _require_tables(con)
            if con.execute("select count(*) from interactions").fetchone()[0] == 0:
                raise NotBuiltError(
                    f'no interactions in {store.path} (load data with "sqlrec ingest")'
                )
            split = build_split(con, protocol, phase)
            data = InteractionData.from_catalog(
                con, split.fitted_table, tie_key=split.tie_key
            )
            targets = _load_targets(con, data, split)
        if every_model:
            scorers = [
                (name, scorer)
                for name, scorer in scorers
                if fits_catalogue(name, scorer, data.item_count)
            ]

        # The catalog stays closed while models fit, so analysts can query it.
        # The hybrid ranks last, so that it can take the parts fitted here.
        rankings = []
        fitted: dict[str, tuple[Scorer, float]] = {}
        ordered = sorted(scorers, key=lambda named: isinstance(named[1], HybridScorer))
        for done, (name, scorer) in enumerate(ordered):
            if progress is not None:
                progress(done, len(scorers), f"model {name}")
            rankings.append(
                _rank_model(name, scorer, data, targets, seed, fitted, progress)
            )
            if progress is not None:
                progress(done + 1, len(scorers), f"model {name} done")
        order = [name for name, _ in scorers]
        rankings.sort(key=lambda ranking: order.index(ranking.name))

        with store.writer() as con:
            con.begin()
            try:
                result = _write_run(con, split, targets, rankings, seed)
            except BaseException:
                con.rollback()
                raise
            con.commit()
    return result


@dataclass(frozen=True)
class _Ranking:
    """Output of one model: its top lists, held-out ranks and fit record."""

    name: str
    recommendations: pa.Table
    holdout_ranks: pa.Table
    fit_seconds: float
    params: dict[str, Any]


def _rank_model(
    name: str,
    scorer: Scorer,
    data: InteractionData,
    targets: _Targets,
    seed: int,
    fitted: dict[str, tuple[Scorer, float]],
    progress: Progress | None,
) -> _Ranking:
    """Fit ``scorer``, rank the catalogue for every evaluated user, and record it.

    ``fitted`` is shared by the models of one run, as :func:`fit_in_build`
    describes, so a hybrid can take the parts fitted before it.
    """
    fit_seconds = fit_in_build(
        name, scorer, data, seed=seed, progress=progress, fitted=fitted
    )
    _log.info(
        "fitted %s on %d interactions in %.2fs",
        name,
        data.interaction_count,
        fit_seconds,
    )

    # NOTE: the lists of every model are kept in memory until the final write, about
    # 40 bytes per (user, rank) row and model.
    batches = list(_ranked_batches(name, scorer, data, targets))
    return _Ranking(
        name=name,
        recommendations=pa.concat_tables([recs for recs, _ in batches]),
        holdout_ranks=pa.concat_tables([ranks for _, ranks in batches]),
        fit_seconds=fit_seconds,
        params=resolved_params(scorer),
    )


def _write_run(
    con: duckdb.DuckDBPyConnection,
    split: Split,
    targets: _Targets,
    rankings: list[_Ranking],
    seed: int,
) -> EvaluationResult:
    """Write the result tables, compute the metrics in SQL and record the run."""
    create_result_tables(con)
    append_rows(con, "holdout", targets.pairs)
    for ranking in rankings:
        append_rows(con, "recommendations", ranking.recommendations)
        append_rows(con, "holdout_ranks", ranking.holdout_ranks)

    # Metrics come from the written tables through the SQL macros only.
    metrics = summary_metrics(con)
    model_rows = [
        {
            "model": ranking.name,
            **metrics[ranking.name],
            "fit_seconds": ranking.fit_seconds,
            "params": ranking.params,
        }
        for ranking in rankings
    ]
    run_id = uuid.uuid4().hex
    run = {
        "run_id": run_id,
        "protocol": split.protocol,
        "phase": split.phase,
        "fingerprint": split.fingerprint,
        "seed": seed,
    }
    record_run(con, run, model_rows)
    for row in model_rows:
        _log.info(
            "%s on %s/%s: recall@10 %.4f, ndcg@10 %.4f, mrr %.4f",
            row["model"],
            split.protocol,
            split.phase,
            row["recall_at_10"],
            row["ndcg_at_10"],
            row["mrr"],
        )

    return EvaluationResult(
        run_id=run_id,
        protocol=split.protocol,
        phase=split.phase,
        fingerprint=split.fingerprint,
        fitted_count=split.fitted_count,
        holdout_count=split.holdout_count,
        user_count=split.user_count,
        seed=seed,
        models=tuple(ModelMetrics(**row) for row in model_rows),
    )


def _require_tables(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'main'"
        ).fetchall()
    }
    missing = [name for name in _INPUT_TABLES if name not in present]
    if missing:
        raise NotBuiltError(
            f"missing catalog tables: {', '.join(missing)} "
            '(load data with "sqlrec ingest" first)'
        )


def _resolve_models(models: ModelSpec | None) -> list[tuple[str, Scorer]]:
    """Turn the ``models`` argument of :func:`evaluate` into named, unfitted scorers."""
    if models is None:
        if not MODELS:
            raise ValueError("no models registered, expected at least one in MODELS")
        models = sorted(MODELS)
    if isinstance(models, str):
        models = [models]
    if not isinstance(models, Mapping):
        names = list(models)
        if len(set(names)) != len(names):
            raise ValueError(f"invalid models: {names}, expected each name once")
        models = dict.fromkeys(names)

    scorers = []
    for name, spec in models.items():
        if isinstance(spec, Scorer):
            scorers.append((str(name), spec))
        elif spec is None or isinstance(spec, Mapping):
            scorers.append((name, get_model(name, **(spec or {}))))
        else:
            raise TypeError(
                f"invalid parameters for model {name!r}: {type(spec).__name__}, "
                "expected a dict or a Scorer"
            )
    if not scorers:
        raise ValueError("invalid models: none given, expected at least one name")
    return scorers


def _load_targets(
    con: duckdb.DuckDBPyConnection, data: InteractionData, split: Split
) -> _Targets:
    """Read the distinct held-out pairs and the context, as indices of the data."""
    rows = con.execute(
        f"select distinct user_id, item_id from {split.holdout_table} "
        "order by user_id, item_id"
    ).fetchnumpy()
    holdout_users = np.asarray(rows["user_id"], dtype=np.int64)
    holdout_ids = np.asarray(rows["item_id"], dtype=np.int64)
    holdout_items = data.item_index(holdout_ids)
    if (holdout_items < 0).any():
        missing = holdout_ids[holdout_items < 0][:5].tolist()
        raise ValueError(
            f"held-out items missing from the items table: {missing} "
            "(ingest their metadata first)"
        )

    user_ids, starts = np.unique(holdout_users, return_index=True)
    if len(user_ids) == 0:
        raise ValueError(
            f"no evaluated users in the {split.protocol}/{split.phase} split "
            "(loo needs users with at least 3 interactions, temporal users with "
            "interactions on both sides of the cut)"
        )
    users = data.user_index(user_ids)
    if (users < 0).any():
        missing = user_ids[users < 0][:5].tolist()
        raise ValueError(f"held-out users missing from the fitted data: {missing}")

    # The context is the time of each user's first held-out interaction. Catalog
    # timestamps are UTC, so hour and weekday are UTC too.
    context = con.execute(
        "select user_id, hour(min(timestamp)) as hour, "
        "isodow(min(timestamp)) as weekday, "
        "epoch(min(timestamp))::bigint as timestamp "
        f"from {split.holdout_table} group by user_id order by user_id"
    ).fetchnumpy()
    return _Targets(
        user_ids=user_ids,
        users=users,
        offsets=np.append(starts, len(holdout_users)).astype(np.int64),
        holdout_items=holdout_items,
        context={
            "hour": np.asarray(context["hour"], dtype=np.int64),
            "weekday": np.asarray(context["weekday"], dtype=np.int64),
            "timestamp": np.asarray(context["timestamp"], dtype=np.int64),
        },
        pairs=pa.table({"user_id": holdout_users, "item_id": holdout_ids}),
    )


def _ranked_batches(
    name: str, scorer: Scorer, data: InteractionData, targets: _Targets
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """Score the evaluated users in batches; yield top lists and held-out ranks."""
    batch_size = max(1, _BATCH_CELLS // max(data.item_count, 1))
    for start in range(0, len(targets.users), batch_size):
        stop = min(start + batch_size, len(targets.users))
        users = targets.users[start:stop]
        user_ids = targets.user_ids[start:stop]
        context = {key: values[start:stop] for key, values in targets.context.items()}
        scores = _score(scorer, name, users, context, data.item_count)
        ranked = rank_candidates(scores, fitted_mask(data, users))

        rows, ranks, items = ranked.top(RECOMMENDATION_K)
        recommendations = pa.table(
            {
                "model": pa.array([name] * len(rows), pa.string()),
                "user_id": user_ids[rows],
                "item_id": data.item_ids[items],
                "rank": ranks.astype(np.int32),
                # Adding 0.0 turns -0.0 into 0.0, so that DuckDB sorts a single zero.
                "score": scores[rows, items].astype(np.float64) + 0.0,
            }
        )

        offsets = targets.offsets[start : stop + 1]
        holdout_rows = np.repeat(np.arange(stop - start), np.diff(offsets))
        holdout_items = targets.holdout_items[offsets[0] : offsets[-1]]
        holdout_ranks = ranked.ranks(holdout_rows, holdout_items)
        holdout = pa.table(
            {
                "model": pa.array([name] * len(holdout_rows), pa.string()),
                "user_id": user_ids[holdout_rows],
                "item_id": data.item_ids[holdout_items],
                "rank": pa.array(holdout_ranks, pa.int64(), mask=holdout_ranks < 0),
            }
        )
        yield recommendations, holdout


def _score(
    scorer: Scorer,
    name: str,
    users: np.ndarray,
    context: dict[str, np.ndarray],
    item_count: int,
) -> np.ndarray:
    scores = np.asarray(scorer.score(users, context=context))
    if scores.shape != (len(users), item_count):
        raise ValueError(
            f"invalid scores from model {name!r}: shape {scores.shape}, "
            f"expected {(len(users), item_count)}"
        )
    return scores
