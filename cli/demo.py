"""`sqlrec demo`: the whole offline build and a first evaluation on generated data."""

from __future__ import annotations

import shutil
import time

import click

from cli._models import SEED, epoch_params
from cli._progress import progress_bar

DEMO_MARKER = "demo.json"
SAMPLE_USERS = 3
DEMO_EPOCHS = 5


@click.command("demo")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the generator and of every model.")
@click.option("--users", "user_count", type=click.IntRange(10, 100_000), default=1000, show_default=True, help="Number of users to generate.")
@click.option("--items", "item_count", type=click.IntRange(10, 20_000), default=2000, show_default=True, help="Number of items to generate.")
@click.option("--epochs", type=click.IntRange(min=1), default=DEMO_EPOCHS, show_default=True, help="Training epochs of the two-tower model, alone and inside the hybrid. Fewer than the model's own default, so the demo stays short.")
@click.option("--replace", is_flag=True, help="Rebuild a store that an earlier demo run created.")
@click.pass_obj
def demo(obj, seed: int, user_count: int, item_count: int, epochs: int, replace: bool) -> None:
    """Generate the demo catalogue, build every model, evaluate, and recommend.

    The catalogue is synthetic and seeded. Items have genres, running time,
    actors, year, franchise, TV channel and a Christmas flag, and users have
    gender, age and device. Interactions follow popularity skew and time-of-day
    and weekday patterns, and a few items are planted twice as duplicates.

    \b
    Example:
      sqlrec --store demo.sqlrec demo --replace
    """
    import json

    import engine
    from engine.demo import generate_demo
    from engine.evaluation import evaluate
    from engine.index import build_index
    from engine.ingest import ingest_files
    from engine.training import train

    path = obj.store_path
    _prepare(path, replace)
    started = time.perf_counter()
    store = engine.open(path, create=True)
    (path / DEMO_MARKER).write_text(json.dumps({"seed": seed, "users": user_count, "items": item_count}))

    catalogue = generate_demo(seed=seed, user_count=user_count, item_count=item_count)
    report = ingest_files(
        store, catalogue.interactions, items=catalogue.items, users=catalogue.users,
        source_names={"interactions": "demo interactions", "items": "demo items", "users": "demo users"},
    )
    click.echo(
        f"generated and loaded {report.loaded.get('items', 0)} items, "
        f"{report.loaded.get('users', 0)} users, {report.loaded.get('interactions', 0)} interactions "
        f"({sum(report.rejected.values())} rejected); "
        f"{catalogue.duplicates.num_rows} planted duplicate items"
    )

    params = epoch_params(epochs)
    with progress_bar("train") as progress:
        trained = train(store, seed=seed, params=params, progress=progress)
    click.echo(f"trained version {trained.version}: " + ", ".join(
        f"{name} {seconds:.1f}s" for name, seconds in trained.fit_seconds.items()
    ))
    manifest = build_index(store)
    click.echo(f"indexed {manifest['item_count']} items in LanceDB; version {manifest['version']} is active")

    with progress_bar("evaluate") as progress:
        models = {name: params.get(name, {}) for name in trained.fit_seconds}
        result = evaluate(store, "loo", models=models, seed=seed, progress=progress)
    from cli.evaluate import echo_result

    echo_result(result)

    users = catalogue.users.column("user_id").to_pylist()[:SAMPLE_USERS]
    for user_id in users:
        friday = store.recommend(user_id, k=5, hour=20, weekday=5)
        saturday = store.recommend(user_id, k=5, hour=9, weekday=6)
        click.echo(f"\nuser {user_id}, Friday 20:00:")
        for item in friday:
            click.echo(f"  {item.rank}. {item.title}  ({item.score:.3f})")
        click.echo(f"user {user_id}, Saturday 09:00:")
        for item in saturday:
            click.echo(f"  {item.rank}. {item.title}  ({item.score:.3f})")
    click.echo(f"\ndemo finished in {time.perf_counter() - started:.0f} s; store: {path}")
    click.echo(f'try: sqlrec --store {path} sql "select * from eval_runs"')


def _prepare(path, replace: bool) -> None:
    """Refuse to touch a store with data unless it is an earlier demo and --replace is set."""
    if not path.exists():
        return
    if not (path / "catalog.duckdb").exists() and not any(path.iterdir()):
        return
    if not (path / DEMO_MARKER).is_file():
        raise click.ClickException(
            f"store already exists and is not a demo store: {path} (pick another --store)"
        )
    if not replace:
        raise click.ClickException(
            f"demo store already exists: {path} (pass --replace to rebuild it)"
        )
    shutil.rmtree(path)
