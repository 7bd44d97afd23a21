"""Markdown tables and JSON records of the accuracy benchmark."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._bootstrap import BootstrapInterval
from ._runs import FinalResult, Tuning
from ._spec import ModelSpec, describe

_HEADER = (
    "| model | source | configuration | recall@10 | recall@30 | recall@100 "
    "| NDCG@10 | MRR | fit s | runs |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def final_table(
    results: Mapping[str, FinalResult], specs: Mapping[str, ModelSpec]
) -> str:
    """Format the final-phase results of one protocol, best recall@10 first.

    recall@10 shows the spread over seeds as ``mean ± standard deviation`` when a
    model ran with more than one seed.
    """
    lines = [_HEADER]
    ordered = sorted(results.values(), key=lambda result: -result.mean("recall_at_10"))
    for result in ordered:
        spec = specs[result.model]
        recall = f"{result.mean('recall_at_10'):.3f}"
        if len(result.runs) > 1:
            recall += f" ± {result.std('recall_at_10'):.3f}"
        lines.append(
            f"| {spec.label} | {spec.source} | {describe(result.params)} | {recall} "
            f"| {result.mean('recall_at_30'):.3f} | {result.mean('recall_at_100'):.3f} "
            f"| {result.mean('ndcg_at_10'):.3f} | {result.mean('mrr'):.3f} "
            f"| {result.mean('fit_seconds'):.1f} | {len(result.runs)} |"
        )
    return "\n".join(lines)


def tuning_table(tunings: Sequence[Tuning], specs: Mapping[str, ModelSpec]) -> str:
    """Format what tuning chose for each model of one protocol."""
    lines = [
        "| model | configurations | chosen | tuning recall@10 | tuning s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for tuning in tunings:
        if not tuning.trials:
            continue
        best = max(trial["recall_at_10"] for trial in tuning.trials)
        lines.append(
            f"| {specs[tuning.model].label} | {len(tuning.trials)} "
            f"| {describe(tuning.params)} | {best:.3f} | {tuning.seconds:.0f} |"
        )
    return "\n".join(lines)


def bootstrap_line(
    protocol: str,
    sqlrec: FinalResult,
    anchor: FinalResult,
    interval: BootstrapInterval,
    specs: Mapping[str, ModelSpec],
) -> str:
    """Describe the bootstrap of the best sqlrec model against the best anchor."""
    percent = round(interval.confidence * 100)
    return (
        f"{protocol}: {specs[sqlrec.model].label} {sqlrec.mean('recall_at_10'):.3f} "
        f"against {specs[anchor.model].label} {anchor.mean('recall_at_10'):.3f}: "
        f"difference {interval.difference:+.3f}, {percent}% interval "
        f"[{interval.low:+.3f}, {interval.high:+.3f}] "
        f"(paired bootstrap over {interval.user_count} users, "
        f"{interval.resamples} resamples, seed {interval.seed}; "
        f"share of resamples <= 0: {interval.share_not_above_zero:.4f})"
    )


def final_record(result: FinalResult, spec: ModelSpec) -> dict[str, Any]:
    """Return one model's final-phase results as JSON-ready values."""
    metrics = ("recall_at_10", "recall_at_30", "recall_at_100", "ndcg_at_10", "mrr")
    return {
        "model": result.model,
        "label": spec.label,
        "source": spec.source,
        "params": result.params,
        "mean": {name: result.mean(name) for name in (*metrics, "fit_seconds")},
        "std": {name: result.std(name) for name in metrics},
        "runs": result.runs,
    }


def tuning_record(tuning: Tuning) -> dict[str, Any]:
    """Return one model's tuning trials as JSON-ready values."""
    return {
        "model": tuning.model,
        "params": tuning.params,
        "seconds": tuning.seconds,
        "trials": tuning.trials,
    }
