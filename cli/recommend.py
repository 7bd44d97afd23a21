"""`sqlrec recommend`: not written yet."""

import click


@click.command("recommend")
def recommend() -> None:
    """Not available yet."""
    raise click.ClickException("sqlrec recommend is not available yet")
