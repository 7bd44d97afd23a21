"""`sqlrec index`: embed the catalogue into LanceDB and make the version active."""

from __future__ import annotations

import json

import click

from cli._progress import progress_bar


@click.command("index")
@click.option("--version", help="Model version to index. Default: the newest trained one.")
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the k-means sample that partitions the item vectors.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the new manifest as JSON.")
@click.pass_obj
def index(obj, version: str | None, seed: int, as_json: bool) -> None:
    """Embed every item with the item tower, build the LanceDB index, promote the version.

    Serving processes switch to the new version on their next request.

    \b
    Example:
      sqlrec --store movies.sqlrec index
    """
    from engine.index import build_index

    store = obj.open()
    with progress_bar("index", enabled=not as_json) as progress:
        manifest = build_index(store, version=version, seed=seed, progress=progress)
    if as_json:
        click.echo(json.dumps(manifest, indent=2))
        return
    click.echo(
        f"indexed {manifest['item_count']} items of version {manifest['version']} "
        f"(embedding size {manifest['embedding_size']}); it is now active"
    )
