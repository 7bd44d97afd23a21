"""`sqlrec index`: embed the catalogue into LanceDB and make the version active."""

from __future__ import annotations

import json

import click

from cli._progress import progress_bar


@click.command("index")
@click.option("--version", help="Model version to index. Default: the newest trained one.")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the k-means sample that partitions the item vectors.",
)
@click.option(
    "--update",
    is_flag=True,
    help="Update the active version's index from the catalog instead of rebuilding "
    "it: embed items added to the catalog, delete items removed from it.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the new manifest as JSON (with --update: the counts of added and "
    "deleted items beside it).",
)
@click.pass_context
def index(ctx, version: str | None, seed: int, update: bool, as_json: bool) -> None:
    """Embed every item with the item tower, build the LanceDB index, promote the version.

    With --update, only the items added to or removed from the catalog since
    the active version was indexed change, keeping its partitions. Serving
    processes switch to the new index on their next request.

    \b
    Example:
      sqlrec --store movies.sqlrec index
      sqlrec --store movies.sqlrec index --update
    """
    from engine.index import build_index, update_index

    if update:
        _check_update_options(ctx, version)
    store = ctx.obj.open()
    if update:
        with progress_bar("index", enabled=not as_json) as progress:
            result = update_index(store, progress=progress)
        if as_json:
            click.echo(json.dumps(result.to_dict(), indent=2))
            return
        click.echo(
            f"updated the index of version {result.manifest['version']}: "
            f"{result.added_count} items added, {result.deleted_count} deleted, "
            f"{result.manifest['item_count']} indexed; it is now active"
        )
        return

    with progress_bar("index", enabled=not as_json) as progress:
        manifest = build_index(store, version=version, seed=seed, progress=progress)
    if as_json:
        click.echo(json.dumps(manifest, indent=2))
        return
    click.echo(
        f"indexed {manifest['item_count']} items of version {manifest['version']} "
        f"(embedding size {manifest['embedding_size']}); it is now active"
    )


def _check_update_options(ctx: click.Context, version: str | None) -> None:
    """Reject the build options that --update ignores."""
    if version is not None:
        raise click.BadParameter(
            "--update works on the active version, so leave out --version, or "
            "build that version without --update",
            param_hint="--version",
        )
    if ctx.get_parameter_source("seed") is not click.core.ParameterSource.DEFAULT:
        raise click.BadParameter(
            "--update keeps the partitions of the active index, so leave out --seed",
            param_hint="--seed",
        )
