"""`sqlrec evaluate`: offline accuracy of the models on one protocol split."""

from __future__ import annotations

import json

import click

from cli._models import PARAM_HELP, SEED, option_params, parse_models
from cli._progress import progress_bar
from cli._table import render_table
from engine.errors import SqlrecError

_COLUMNS = [
    "model",
    "recall@10",
    "recall@30",
    "recall@100",
    "ndcg@10",
    "mrr",
    "fit_seconds",
]


@click.command("evaluate")
@click.option(
    "--protocol",
    type=click.Choice(["loo", "loo-shuffled", "temporal"]),
    default="loo",
    show_default=True,
    help="Split: leave each user's last interaction out (ties by item id, or by a "
    "hash for loo-shuffled), or one global cut at the 90 % timestamp quantile.",
)
@click.option(
    "--phase",
    type=click.Choice(["final", "tune"]),
    default="final",
    show_default=True,
    help="final holds out the test part; tune holds out the validation part, for "
    "choosing hyperparameters.",
)
@click.option(
    "--models",
    "--model",
    "model_names",
    multiple=True,
    help="Models to evaluate (comma-separated or repeatable): registry names such "
    "as item_knn, hybrid, two_tower. Default: all.",
)
@click.option(
    "--seed",
    type=SEED,
    default=0,
    show_default=True,
    help="Seed passed to every model's fit.",
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    help="Training epochs of the two-tower model, alone and inside the hybrid. "
    "Default: the model's own (30).",
)
@click.option("--param", "param_values", multiple=True, help=PARAM_HELP)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the result as one JSON object."
)
@click.pass_obj
def evaluate(
    obj,
    protocol: str,
    phase: str,
    model_names: tuple[str, ...],
    seed: int,
    epochs: int | None,
    param_values: tuple[str, ...],
    as_json: bool,
) -> None:
    """Fit the models on a protocol split and report their accuracy.

    Each model ranks every catalogue item except the user's fitted items. The
    table lists recall@10, recall@30 and recall@100, NDCG@10 and MRR (plain
    means over the evaluated users, sorted by recall@10) and the fit time in
    seconds. Each run replaces the recommendations, holdout and holdout_ranks
    tables of the catalog and appends one row per model to eval_runs.

    \b
    Example:
      sqlrec --store movies.sqlrec evaluate --protocol loo
      sqlrec --store movies.sqlrec evaluate --phase tune --models popular,item_knn
      sqlrec --store movies.sqlrec evaluate --protocol temporal --json > temporal.json
      sqlrec --store movies.sqlrec evaluate --models two_tower,hybrid --epochs 5
      sqlrec --store movies.sqlrec evaluate --phase tune --models user_knn \\
          --param user_knn.neighbour_count=100
    """
    from engine.evaluation import evaluate as run_evaluation
    from engine.models import MODELS

    names = parse_models(model_names, MODELS, "--models")
    params = option_params(epochs, param_values, MODELS, names)
    models = names
    if params:
        models = {
            name: params.get(name, {}) for name in (names or sorted(MODELS))
        }
    try:
        store = obj.open()
        with progress_bar("evaluate", enabled=not as_json) as progress:
            result = run_evaluation(
                store, protocol, phase=phase, models=models, seed=seed, progress=progress
            )
    except (SqlrecError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc

    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    echo_result(result)


def echo_result(result) -> None:
    """Print the split summary and the per-model table, sorted by recall@10."""
    click.echo(
        f"protocol {result.protocol} ({result.phase}), "
        f"fingerprint {result.fingerprint}, {result.user_count} users, "
        f"{result.fitted_count} fitted rows, {result.holdout_count} held-out rows"
    )
    ranked = sorted(result.models, key=lambda entry: -(entry.recall_at_10 or 0.0))
    rows = [
        (
            entry.model,
            entry.recall_at_10,
            entry.recall_at_30,
            entry.recall_at_100,
            entry.ndcg_at_10,
            entry.mrr,
            f"{entry.fit_seconds:.1f}",
        )
        for entry in ranked
    ]
    click.echo(render_table(_COLUMNS, rows))
    if "hybrid" in {entry.model for entry in result.models} and len(result.models) > 1:
        click.echo("(the hybrid's fit_seconds include the parts it took from this run)")
