"""`sqlrec versions`: the trained model versions, and removing the old ones."""

from __future__ import annotations

import json

import click

from cli._table import render_table


@click.command("versions")
@click.option(
    "--prune",
    "keep",
    type=click.IntRange(min=1),
    metavar="N",
    help="Remove every version but the N newest and the one being served: its "
    "folder and LanceDB table go, its model_versions row stays with removed_at set.",
)
@click.option("--dry-run", is_flag=True, help="With --prune, list what would go and change nothing.")
@click.option("--all", "show_all", is_flag=True, help="List removed versions too.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def versions(obj, keep: int | None, dry_run: bool, show_all: bool, as_json: bool) -> None:
    """List the model versions that train wrote, or remove old ones with --prune.

    \b
    Example:
      sqlrec --store movies.sqlrec versions
      sqlrec --store movies.sqlrec versions --prune 3 --dry-run
      sqlrec --store movies.sqlrec versions --prune 3
    """
    from engine.versions import list_versions, prune_versions

    if dry_run and keep is None:
        raise click.UsageError("--dry-run needs --prune N")
    store = obj.open()
    if keep is not None:
        result = prune_versions(store, keep=keep, dry_run=dry_run)
        if as_json:
            click.echo(json.dumps(result.to_dict(), indent=2))
            return
        verb = "would remove" if dry_run else "removed"
        removed = ", ".join(result.removed) or "none"
        count = len(result.removed)
        noun = "version" if count == 1 else "versions"
        click.echo(
            f"{verb} {count} {noun} ({_megabytes(result.freed_bytes)}): "
            f"{removed}; kept {', '.join(result.kept) or 'none'}"
        )
        return
    infos = [info for info in list_versions(store) if show_all or info.removed_at is None]
    if as_json:
        click.echo(json.dumps([info.to_dict() for info in infos], indent=2))
        return
    if not infos:
        click.echo('no model versions (run "sqlrec train")')
        return
    rows = [_row(info, show_all) for info in infos]
    columns = ["version", "created (UTC)", "interactions", "indexed", "size"]
    if show_all:
        columns.append("removed (UTC)")
    # The models come last, so that the full list fits without clipping.
    columns.append("models")
    click.echo(render_table(columns, rows, max_width=100))
    click.echo("* the version being served")


def _row(info, show_removed: bool) -> tuple:
    """One table row; a removed version shows - for what it no longer has."""
    version = info.version + (" *" if info.active else "")
    created = info.created_at.strftime("%Y-%m-%d %H:%M")
    indexed = "yes" if info.indexed else "no"
    size = _megabytes(info.size_bytes)
    removed = ""
    if info.removed_at:
        indexed, size = "-", "-"
        removed = info.removed_at.strftime("%Y-%m-%d %H:%M")
    row = [version, created, info.interaction_count, indexed, size]
    if show_removed:
        row.append(removed)
    row.append(",".join(info.models))
    return tuple(row)


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
