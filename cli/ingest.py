"""`sqlrec ingest`: not written yet."""

import click


@click.command("ingest")
def ingest() -> None:
    """Not available yet."""
    raise click.ClickException("sqlrec ingest is not available yet")
