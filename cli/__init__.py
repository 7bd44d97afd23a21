"""The ``sqlrec`` command line: one root group, one module per command."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
from pathlib import Path

import click

# The Rust cores of lance and lancedb log notices such as "No existing dataset ...
# it will be created" at warning level on stderr. Each reads its variable once, on
# import, and lancedb 0.40 reads LANCEDB_LOG, not LANCE_LOG. A value the user set is
# kept.
os.environ.setdefault("LANCE_LOG", "error")
os.environ.setdefault("LANCEDB_LOG", "error")

from engine.errors import SqlrecError  # noqa: E402

# Command modules, each defining a click command named like the module.
_COMMANDS = (
    "init",
    "ingest",
    "train",
    "index",
    "recommend",
    "evaluate",
    "models",
    "versions",
    "demo",
    "sql",
)


class StoreContext:
    """Context object that the root group passes to every command."""

    def __init__(self, store_path: Path, verbose: int):
        self.store_path = store_path
        self.verbose = verbose

    def open(self, *, create: bool = False):
        import engine

        return engine.open(self.store_path, create=create)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="SQLREC_STORE",
    default="sqlrec.store",
    show_default=True,
    help="Store directory (env SQLREC_STORE).",
)
@click.option("-v", "--verbose", count=True, help="More logging on stderr; -vv for debug.")
@click.pass_context
def sqlrec(ctx: click.Context, store_path: Path, verbose: int) -> None:
    """Embedded recommendation engine: DuckDB catalog, LanceDB index, ONNX serving.

    \b
    Example:
      sqlrec --store movies.sqlrec ingest --format movielens-100k ml-100k/
      sqlrec --store movies.sqlrec train
      sqlrec --store movies.sqlrec index
      sqlrec --store movies.sqlrec recommend --user 42 --k 10
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = StoreContext(store_path, verbose)


for _name in _COMMANDS:
    _module = importlib.import_module(f"cli.{_name}")
    sqlrec.add_command(getattr(_module, _name))


def main() -> None:
    """Console entry point: run the group, turning sqlrec errors into clean messages."""
    verbose = any(arg in ("-v", "-vv", "--verbose") for arg in sys.argv[1:]) or bool(
        os.environ.get("SQLREC_DEBUG")
    )
    try:
        # Without standalone mode, click returns the code of ctx.exit() instead
        # of exiting with it.
        exit_code = sqlrec.main(standalone_mode=False)
        if isinstance(exit_code, int) and exit_code != 0:
            sys.exit(exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (SqlrecError, ValueError, FileNotFoundError) as exc:
        if verbose:
            traceback.print_exc()
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
