"""`sqlrec train`: fit the models on every interaction and write a model version."""

from __future__ import annotations

import json

import click

from cli._models import PARAM_HELP, SEED, option_params, parse_models
from cli._progress import progress_bar


@click.command("train")
@click.option(
    "--model",
    "--models",
    "models",
    multiple=True,
    help="Model to fit (repeatable or comma-separated): popular, item_knn, user_knn, "
    "sequence_knn, sequence_linear, metadata, hybrid, two_tower. Default: all.",
)
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of every model that samples.")
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    help="Training epochs of the two-tower model, alone and inside the hybrid. "
    "Default: the model's own (30).",
)
@click.option("--param", "param_values", multiple=True, help=PARAM_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_obj
def train(
    obj,
    models: tuple[str, ...],
    seed: int,
    epochs: int | None,
    param_values: tuple[str, ...],
    as_json: bool,
) -> None:
    """Fit the models on all interactions and write a new model version.

    The version becomes active for serving after "sqlrec index".

    \b
    Example:
      sqlrec --store movies.sqlrec train
      sqlrec --store movies.sqlrec train --model two_tower --epochs 5
      sqlrec --store movies.sqlrec train --model item_knn --param item_knn.shrinkage=50
    """
    from engine.training import train as run_training

    from engine.models import MODELS

    names = parse_models(models, MODELS, "--model")
    params = option_params(epochs, param_values, MODELS, names) or None
    store = obj.open()
    with progress_bar("train", enabled=not as_json) as progress:
        result = run_training(
            store, models=names, params=params, seed=seed, progress=progress
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    click.echo(f"trained version {result.version} on {result.interaction_count} interactions")
    name_width = max((len(name) for name in result.fit_seconds), default=0)
    for name, seconds in result.fit_seconds.items():
        click.echo(f"  {name:<{name_width}}  {seconds:8.1f} s")
    if "hybrid" in result.fit_seconds and len(result.fit_seconds) > 1:
        click.echo("  (the hybrid's time includes the parts it took from this build)")
    for name, diff in result.export_max_abs_diff.items():
        click.echo(f"  onnx {name}: max abs difference to torch {diff:.2e}")
    if not result.export_max_abs_diff:
        click.echo(
            "this version has no two towers, so \"sqlrec index\" cannot serve it; "
            "add two_tower to --model for a version that serves"
        )
