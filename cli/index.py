"""`sqlrec index`: not written yet."""

import click


@click.command("index")
def index() -> None:
    """Not available yet."""
    raise click.ClickException("sqlrec index is not available yet")
