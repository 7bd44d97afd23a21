"""Tuning and final runs, both through ``engine.evaluation.evaluate``.

Every model, sqlrec's and the anchors', is fitted on the same fitted part and
ranked by the same code: the full catalogue minus the user's fitted items, score
descending, ties to the lower item id, metrics from the SQL macros.

Tuning calls ``evaluate`` with ``phase="tune"`` only. That split's fitted part
is the train part and its held-out part the validation items, so neither the
scorers nor the choice of configuration ever see the final held-out rows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.evaluation import evaluate
from engine.store import Store

from ._spec import ModelSpec, describe

_log = logging.getLogger(__name__)

METRICS = ("recall_at_10", "recall_at_30", "recall_at_100", "ndcg_at_10", "mrr")

#: Metric that picks the configuration on the tuning phase.
TUNING_METRIC = "recall_at_10"


@dataclass
class Tuning:
    """Outcome of tuning one model on one protocol's tuning phase.

    ``trials`` lists every configuration tried with its tuning-phase metrics, in
    grid order. It is empty when the grid has a single configuration, because that
    configuration is then taken without a run.
    """

    model: str
    protocol: str
    params: dict[str, Any]
    trials: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class FinalResult:
    """Final-phase metrics of one model on one protocol, over seeds.

    ``runs`` contains one metrics dict per seed that was run. ``user_recall_at_10``
    is the per-user recall@10 averaged over those runs, aligned with ``user_ids``.
    """

    model: str
    protocol: str
    params: dict[str, Any]
    runs: list[dict[str, Any]]
    user_ids: np.ndarray
    user_recall_at_10: np.ndarray

    def mean(self, metric: str) -> float:
        return float(np.mean([run[metric] for run in self.runs]))

    def std(self, metric: str) -> float:
        return float(np.std([run[metric] for run in self.runs]))


def tune(
    store: Store,
    protocol: str,
    spec: ModelSpec,
    *,
    quick: bool = False,
    seed: int = 0,
) -> Tuning:
    """Choose ``spec``'s configuration by recall@10 on the tuning phase.

    Ties go to the configuration written first in the grid. The tuning phase is
    the only split this function evaluates.
    """
    configurations = spec.configurations(quick)
    if len(configurations) == 1:
        return Tuning(spec.name, protocol, configurations[0])

    started = time.perf_counter()
    names = [f"{spec.name} #{index}" for index in range(len(configurations))]
    models = {name: spec.build(**params) for name, params in zip(names, configurations)}
    result = evaluate(store, protocol, phase="tune", models=models, seed=seed)
    trials = []
    for name, params in zip(names, configurations):
        metrics = result.metrics(name)
        trials.append(
            {
                "params": params,
                **{metric: getattr(metrics, metric) for metric in METRICS},
                "fit_seconds": metrics.fit_seconds,
            }
        )
    best = max(
        range(len(trials)), key=lambda index: (trials[index][TUNING_METRIC], -index)
    )
    _log.info(
        "tuned %s on %s/tune over %d configurations: %s (recall@10 %.4f)",
        spec.name,
        protocol,
        len(trials),
        describe(configurations[best]),
        trials[best][TUNING_METRIC],
    )
    return Tuning(
        spec.name,
        protocol,
        configurations[best],
        trials,
        time.perf_counter() - started,
    )


def run_final(
    store: Store,
    protocol: str,
    chosen: Mapping[str, tuple[ModelSpec, dict[str, Any]]],
    seeds: Sequence[int],
) -> dict[str, FinalResult]:
    """Run each chosen configuration on the final phase, once per seed.

    A model whose fit ignores the seed runs with the first seed only. All models of
    one seed share one ``evaluate`` call, so they share one split and one ranking.

    Parameters
    ----------
    chosen : mapping
        Model name to its spec and chosen parameters.
    seeds : sequence of int
    """
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in chosen}
    recalls: dict[str, list[dict[int, float]]] = {name: [] for name in chosen}
    for position, seed in enumerate(seeds):
        models = {
            name: spec.build(**params)
            for name, (spec, params) in chosen.items()
            if spec.seeded or position == 0
        }
        if not models:
            continue
        result = evaluate(store, protocol, phase="final", models=models, seed=seed)
        per_user = user_recall_at_10(store)
        for name in models:
            metrics = result.metrics(name)
            runs[name].append(
                {
                    "seed": seed,
                    **{metric: getattr(metrics, metric) for metric in METRICS},
                    "fit_seconds": metrics.fit_seconds,
                    "fingerprint": result.fingerprint,
                    "user_count": metrics.user_count,
                }
            )
            recalls[name].append(per_user[name])

    results = {}
    for name, (spec, params) in chosen.items():
        user_ids = np.array(sorted(recalls[name][0]), dtype=np.int64)
        values = np.array(
            [[run[user] for user in user_ids] for run in recalls[name]]
        ).mean(axis=0)
        results[name] = FinalResult(
            name, protocol, params, runs[name], user_ids, values
        )
    return results


def user_recall_at_10(store: Store) -> dict[str, dict[int, float]]:
    """Read each model's per-user recall@10 of the store's latest evaluation run.

    The values come from the ``recall_at_k`` macro over the ``recommendations``
    and ``holdout`` tables that ``evaluate`` wrote, so they average to the run's
    reported recall@10.
    """
    with store.connect(read_only=True) as con:
        rows = con.execute(
            "select model, user_id, value "
            "from recall_at_k('recommendations', 'holdout', k := 10) "
            "order by model, user_id"
        ).fetchall()
    per_model: dict[str, dict[int, float]] = {}
    for model, user_id, value in rows:
        per_model.setdefault(model, {})[int(user_id)] = float(value)
    return per_model
