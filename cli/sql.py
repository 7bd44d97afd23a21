"""`sqlrec sql`: run SQL on the store's catalog with the sqlrec macros loaded."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import duckdb

from cli._output import fetch, print_rows
from cli._statements import scan

HISTORY_FILE = ".sqlrec_history"
HISTORY_LENGTH = 1000


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
@click.pass_context
def sql(
    ctx: click.Context,
    query: str | None,
    output_format: str,
    write: bool,
    print_macros: bool,
) -> None:
    """Run QUERY on the catalog, or open a prompt when QUERY is omitted.

    The catalog opens read-only unless --write is given. Besides the macros of
    docs/SQL.md, the session has the serving functions recommend, similar_items
    and item_embedding and, once a version is indexed, the view item_vectors.
    The macros load into a plain DuckDB session too: "sqlrec sql --print-macros
    > macros.sql", then ".read macros.sql" in the DuckDB shell; the serving
    functions and item_vectors exist only here.

    Without QUERY, statements are read from the prompt, or from stdin when it
    is not a terminal. A failing statement prints its error on stderr and the
    remaining statements still run. When stdin is not a terminal, the command
    then exits with status 1 if any statement failed. The prompt also takes
    .tables (list the tables and views of the catalog), .help, and .quit or
    .exit.

    \b
    Example:
      sqlrec --store movies.sqlrec sql "select count(*) from interactions"
      sqlrec --store movies.sqlrec sql --format csv "select * from rejects"
      sqlrec --store movies.sqlrec sql "select recommend(42, 5, 20, 5)"
      sqlrec --store movies.sqlrec sql < report.sql
    """
    if print_macros:
        from engine._macros import macros_sql

        click.echo(macros_sql())
        return
    store = ctx.obj.open()
    with store.connect(read_only=not write) as con:
        if query is not None:
            _run(con, query, output_format)
            return
        failed_count = _prompt(con, output_format)
    if failed_count and not sys.stdin.isatty():
        click.echo(f"error: {failed_count} statement(s) failed", err=True)
        ctx.exit(1)


def _run(con: duckdb.DuckDBPyConnection, query: str, output_format: str) -> None:
    """Run each statement of ``query`` and print the rows of those that return any.

    Statements that only change the schema or the session (create, drop, set,
    attach...) print nothing. Insert, update and delete print their row count.
    """
    if scan(query).empty:
        raise click.ClickException(
            'empty query (pass a SQL statement, or no argument for a prompt)'
        )
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise click.ClickException(f"query failed: {exc}") from exc
    for statement in statements:
        try:
            relation = con.sql(statement.query)
            if relation is None or _is_status_only(statement, relation):
                continue
            columns, rows = fetch(relation)
        except duckdb.Error as exc:
            raise click.ClickException(
                f"query failed: {exc}{_write_hint(con, exc)}"
            ) from exc
        print_rows(columns, rows, output_format)


# Statement types whose single Count or Success column is a result worth printing.
_COUNTED_TYPES = {
    duckdb.StatementType.SELECT,
    duckdb.StatementType.PRAGMA,
    duckdb.StatementType.EXPLAIN,
    duckdb.StatementType.CALL,
    duckdb.StatementType.INSERT,
    duckdb.StatementType.UPDATE,
    duckdb.StatementType.DELETE,
}


def _is_status_only(statement, relation: duckdb.DuckDBPyRelation) -> bool:
    """Tell whether ``relation`` is only DuckDB's status row of a DDL or SET statement."""
    return (
        relation.columns in (["Count"], ["Success"])
        and statement.type not in _COUNTED_TYPES
    )


def _write_hint(con: duckdb.DuckDBPyConnection, exc: duckdb.Error) -> str:
    """Return the --write hint when ``exc`` is a write to the read-only catalog."""
    try:
        [(catalog,)] = con.execute("select current_database()").fetchall()
    except duckdb.Error:
        # An aborted transaction rejects every query until it is rolled back.
        return ""
    if f'on database "{catalog}" which is attached in read-only mode' in str(exc):
        return " (pass --write to change the catalog)"
    return ""


def _prompt(
    con: duckdb.DuckDBPyConnection,
    output_format: str,
    read_line: Callable[..., str | None] | None = None,
) -> int:
    """Read statements ending in ';' until end of input or '.quit'.

    A statement ends at a ';' outside string literals, quoted identifiers and
    comments, so a statement may span lines. A failing statement prints its error
    on stderr and the prompt goes on. Ctrl-C drops the statement being typed, or
    stops the running one, and the prompt goes on. Returns the number of failed
    statements and dot commands.

    ``read_line(continued=...)`` returns the next line, or None at the end of
    input. By default it reads the terminal with line editing, or stdin when that
    is not a terminal.
    """
    interactive = read_line is None and sys.stdin.isatty()
    if read_line is None:
        read_line = _read_terminal_line if interactive else _read_piped_line
    if interactive:
        click.echo("sqlrec sql: statements end with ';', .quit leaves", err=True)
    with _line_history(enabled=interactive):
        return _read_statements(con, output_format, read_line)


# Dot commands of the prompt and what they do, as .help prints them.
DOT_COMMANDS = {
    ".tables": "list the tables and views of the catalog",
    ".help": "list these commands",
    ".quit": "leave the prompt (also .exit)",
}


def _read_statements(con, output_format: str, read_line) -> int:
    """Run the statements and dot commands ``read_line`` returns; count failures."""
    failed_count = 0
    buffer = ""
    while True:
        try:
            line = read_line(continued=bool(buffer))
        except KeyboardInterrupt:
            # Ctrl-C at the prompt drops the statement typed so far.
            click.echo("", err=True)
            buffer = ""
            continue
        if line is None:
            break
        if not buffer and line.strip().startswith("."):
            command = line.strip()
            if command in (".quit", ".exit"):
                break
            if not _run_dot_command(con, command, output_format):
                failed_count += 1
            continue
        buffer = f"{buffer}\n{line}" if buffer else line
        state = scan(buffer)
        if state.empty:
            # Blank lines and lone comments start no statement.
            buffer = ""
        elif state.complete:
            if not _run_reporting(con, buffer, output_format):
                failed_count += 1
            buffer = ""
    if not scan(buffer).empty:
        if not _run_reporting(con, buffer, output_format):
            failed_count += 1
    return failed_count


# The catalog's own tables and views: the temp catalog and DuckDB's internal
# views (duckdb_*, information_schema, pg_catalog) are left out.
_TABLES_QUERY = """
select schema_name as schema, table_name as name, 'table' as type
from duckdb_tables()
where database_name = current_database() and not internal
union all
select schema_name, view_name, 'view'
from duckdb_views()
where database_name = current_database() and not internal
order by schema, name
"""


def _run_dot_command(
    con: duckdb.DuckDBPyConnection, command: str, output_format: str
) -> bool:
    """Run a dot command of the prompt; return False when it is unknown."""
    if command == ".help":
        for name, description in DOT_COMMANDS.items():
            click.echo(f"{name:<8}  {description}")
        return True
    if command == ".tables":
        return _run_reporting(con, _TABLES_QUERY, output_format)
    click.echo(
        f"error: unknown command: {command} (.help lists the commands)", err=True
    )
    return False


def _read_piped_line(*, continued: bool) -> str | None:
    line = sys.stdin.readline()
    return line.rstrip("\n") if line else None


def _read_terminal_line(*, continued: bool) -> str | None:
    # NOTE: on a loaded machine, a Ctrl-C sent just as input() began to wait
    # took effect only at the next key press. The cause was not traced.
    try:
        return input("   ...> " if continued else "sqlrec> ")
    except EOFError:
        click.echo("", err=True)
        return None


@contextlib.contextmanager
def _line_history(*, enabled: bool) -> Iterator[None]:
    """Give input() line editing and a history kept in ~/.sqlrec_history."""
    try:
        import readline
    except ImportError:
        # Windows Python has no readline module, so input() stays plain.
        readline = None
    if not enabled or readline is None:
        yield
        return
    history = Path.home() / HISTORY_FILE
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(HISTORY_LENGTH)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            readline.write_history_file(history)


def _run_reporting(
    con: duckdb.DuckDBPyConnection, statement: str, output_format: str
) -> bool:
    """Run ``statement``, printing an error on stderr; return False when it failed."""
    try:
        _run(con, statement, output_format)
    except click.ClickException as exc:
        click.echo(f"error: {exc.message}", err=True)
        return False
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        return False
    except RuntimeError as exc:
        # DuckDB 2.0 raises RuntimeError("Query interrupted") for Ctrl-C in a query.
        if "interrupted" not in str(exc).lower():
            raise
        click.echo(f"error: {exc}", err=True)
        return False
    return True
