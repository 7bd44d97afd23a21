"""`sqlrec sql`: not written yet."""

import click


@click.command("sql")
def sql() -> None:
    """Not available yet."""
    raise click.ClickException("sqlrec sql is not available yet")
