"""`sqlrec ingest`: load MovieLens-100K, or CSV and Parquet files, into the store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from engine.errors import SqlrecError

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

# Column options of the interactions file, with the catalog column each one maps.
_INTERACTION_OPTIONS = {
    "user_column": "user_id",
    "item_column": "item_id",
    "timestamp_column": "timestamp",
    "weight_column": "weight",
    "device_column": "device",
}


@click.command("ingest")
@click.argument(
    "directory",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--format",
    "data_format",
    type=click.Choice(["movielens-100k"]),
    help="Read DIRECTORY as this data set (u.data, u.item, u.user, u.genre).",
)
@click.option(
    "--interactions",
    type=_FILE,
    help="Interactions file (.csv, .tsv or .parquet): user_id, item_id, timestamp, "
    "and optionally weight and device.",
)
@click.option(
    "--items", type=_FILE, help="Items file: item_id and any metadata columns."
)
@click.option("--users", type=_FILE, help="Users file: user_id and any other columns.")
@click.option(
    "--user-column",
    metavar="NAME",
    help="User id column of the interactions file. [default: user_id]",
)
@click.option(
    "--item-column",
    metavar="NAME",
    help="Item id column of the interactions file. [default: item_id]",
)
@click.option(
    "--timestamp-column",
    metavar="NAME",
    help="Timestamp column of the interactions file: unix seconds, or ISO-8601 text "
    "read as UTC unless it has an offset. [default: timestamp]",
)
@click.option(
    "--weight-column",
    metavar="NAME",
    help="Weight column (a rating, a watch share) of the interactions file; "
    "1.0 where absent. [default: weight]",
)
@click.option(
    "--device-column",
    metavar="NAME",
    help="Device column of the interactions file. [default: device]",
)
@click.option(
    "--item-id-column",
    metavar="NAME",
    help="Id column of the items file. [default: item_id]",
)
@click.option(
    "--user-id-column",
    metavar="NAME",
    help="Id column of the users file. [default: user_id]",
)
@click.option(
    "--list-column",
    "list_columns",
    metavar="NAME",
    multiple=True,
    help="Column of the items or users file to read as a |-separated list even where "
    "no value contains |. Repeatable.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the report as one JSON object."
)
@click.pass_obj
def ingest(
    obj,
    directory,
    data_format,
    interactions,
    items,
    users,
    list_columns,
    as_json,
    **column_options,
) -> None:
    """Load interactions, items and users into the store, creating it if needed.

    Bad rows are not loaded: each goes to the rejects table with its file, line,
    reason and raw text. Items and users whose id is already stored are updated,
    new columns are added, and interactions are appended. The whole ingest is one
    transaction, so a failed one leaves the store as it was. It fails when a
    required column is missing or no row of an input file could be loaded.
    Interactions must name items that are stored or loaded in the same ingest.

    CSV and TSV files need a header line. Their columns are typed from the values:
    integer, double, boolean (true/false), date (YYYY-MM-DD), a list when a value
    contains |, else text. Parquet files keep their types.

    \b
    Example:
      sqlrec --store movies.sqlrec ingest --format movielens-100k ml-100k/
      sqlrec --store shop.sqlrec ingest --interactions clicks.csv --items items.parquet
      sqlrec --store shop.sqlrec ingest --interactions clicks.csv --user-column uid
    """
    from engine.ingest import ingest_files, ingest_movielens

    files = {"--interactions": interactions, "--items": items, "--users": users}
    given_columns = {name: value for name, value in column_options.items() if value}
    if data_format is not None:
        _check_format_usage(directory, files, given_columns, list_columns)
    elif directory is not None:
        raise click.UsageError(
            f"DIRECTORY {directory} needs --format movielens-100k "
            "(or pass files with --interactions, --items, --users)"
        )
    elif not any(files.values()):
        raise click.UsageError(
            "nothing to ingest: pass --interactions, --items or --users"
        )

    created = not (obj.store_path / "catalog.duckdb").exists()
    try:
        store = obj.open(create=True)
        if data_format is not None:
            report = ingest_movielens(store, directory)
        else:
            report = ingest_files(
                store,
                interactions,
                items=items,
                users=users,
                columns=_column_mapping(given_columns),
                list_columns=list_columns,
            )
    except (SqlrecError, ValueError, FileNotFoundError) as exc:
        if created:
            # The store did not exist before this command, so removing it
            # leaves the disk as it was.
            shutil.rmtree(obj.store_path, ignore_errors=True)
        raise click.ClickException(str(exc)) from exc

    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _echo_report(report)


def _check_format_usage(directory, files, given_columns, list_columns) -> None:
    if directory is None:
        raise click.UsageError(
            "--format movielens-100k needs the DIRECTORY of the files"
        )
    extra = [name for name, value in files.items() if value]
    extra += ["--" + name.replace("_", "-") for name in given_columns]
    extra += ["--list-column"] if list_columns else []
    if extra:
        raise click.UsageError(
            f"{', '.join(extra)} cannot be combined with --format movielens-100k"
        )


def _column_mapping(given_columns: dict[str, str]) -> dict[str, dict[str, str]]:
    mapping: dict[str, dict[str, str]] = {}
    for option, value in given_columns.items():
        if option in _INTERACTION_OPTIONS:
            mapping.setdefault("interactions", {})[_INTERACTION_OPTIONS[option]] = value
        elif option == "item_id_column":
            mapping.setdefault("items", {})["item_id"] = value
        elif option == "user_id_column":
            mapping.setdefault("users", {})["user_id"] = value
    return mapping


def _echo_report(report) -> None:
    rows = [("table", "loaded", "updated", "rejected", "source")]
    for table in report.tables():
        rows.append(
            (
                table,
                str(report.loaded[table]),
                str(report.updated[table]),
                str(report.rejected[table]),
                report.sources[table],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:4], widths[1:])
        ]
        click.echo("  ".join(cells + [row[4]]))

    for table in report.tables():
        for reason, count in report.reasons[table].items():
            click.echo(f"rejected {table}: {reason}: {count}")
    for table, names in report.ignored_columns.items():
        click.echo(
            f"columns not stored from {report.sources[table]}: {', '.join(names)}"
        )
    if report.created_users:
        click.echo(f"users added from interactions: {report.created_users}")
    if any(report.rejected.values()):
        click.echo(
            "rejected rows are in the rejects table with their line and raw text"
        )
