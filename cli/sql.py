"""`sqlrec sql`: run SQL on the store's catalog with the sqlrec macros loaded."""

from __future__ import annotations

import csv
import io
import json
import sys

import click
import duckdb

from cli._table import render_table


@click.command("sql")
@click.argument("query", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format of the result rows.",
)
@click.option(
    "--write",
    is_flag=True,
    help="Open the catalog read-write (locks out other processes).",
)
@click.option(
    "--print-macros", is_flag=True, help="Print every macro as one SQL script and exit."
)
@click.pass_obj
def sql(
    obj, query: str | None, output_format: str, write: bool, print_macros: bool
) -> None:
    """Run QUERY on the catalog, or open a prompt when QUERY is omitted.

    The catalog opens read-only unless --write is given. Besides the macros of
    docs/SQL.md, the session has the serving functions recommend, similar_items
    and item_embedding and, once a version is indexed, the view item_vectors.
    The macros load into a plain DuckDB session too: "sqlrec sql --print-macros
    > macros.sql", then ".read macros.sql" in the DuckDB shell; the serving
    functions and item_vectors exist only here.

    \b
    Example:
      sqlrec --store movies.sqlrec sql "select count(*) from interactions"
      sqlrec --store movies.sqlrec sql --format csv "select * from rejects"
      sqlrec --store movies.sqlrec sql "select recommend(42, 5, 20, 5)"
    """
    if print_macros:
        from engine._macros import macros_sql

        click.echo(macros_sql())
        return
    store = obj.open()
    with store.connect(read_only=not write) as con:
        if query is not None:
            _run(con, query, output_format)
            return
        _prompt(con, output_format)


def _run(con: duckdb.DuckDBPyConnection, query: str, output_format: str) -> None:
    """Run each statement of ``query`` and print the rows of those that return any."""
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise click.ClickException(f"query failed: {exc}") from exc
    for statement in statements:
        try:
            result = con.execute(statement)
        except duckdb.Error as exc:
            hint = (
                " (pass --write to change the catalog)"
                if "read-only" in str(exc)
                else ""
            )
            raise click.ClickException(f"query failed: {exc}{hint}") from exc
        if result.description is not None:
            _print(result, output_format)


def _print(result, output_format: str) -> None:
    columns = [d[0] for d in result.description]
    rows = result.fetchall()
    if output_format == "json":
        records = [dict(zip(columns, row)) for row in rows]
        click.echo(json.dumps(records, default=str, indent=2))
    elif output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(render_table(columns, rows))
        click.echo(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")


def _prompt(con: duckdb.DuckDBPyConnection, output_format: str) -> None:
    """Read statements ending in ';' until end of input or '.quit'.

    A failing statement prints its error on stderr and the prompt goes on.
    """
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("sqlrec sql: statements end with ';', .quit leaves", err=True)
    buffer: list[str] = []
    while True:
        line = _read_line(interactive, continued=bool(buffer))
        if line is None:
            break
        if line.strip() in (".quit", ".exit") and not buffer:
            break
        buffer.append(line.rstrip("\n"))
        if line.rstrip().endswith(";"):
            _run_reporting(con, "\n".join(buffer), output_format)
            buffer = []
    if "".join(buffer).strip():
        _run_reporting(con, "\n".join(buffer), output_format)


def _read_line(interactive: bool, *, continued: bool) -> str | None:
    """Return the next input line, or None at the end of input."""
    if not interactive:
        line = sys.stdin.readline()
        return line or None
    try:
        return input("   ...> " if continued else "sqlrec> ")
    except EOFError:
        return None


def _run_reporting(
    con: duckdb.DuckDBPyConnection, statement: str, output_format: str
) -> None:
    try:
        _run(con, statement, output_format)
    except click.ClickException as exc:
        click.echo(f"error: {exc.message}", err=True)
