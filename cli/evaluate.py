"""`sqlrec evaluate`: not written yet."""

import click


@click.command("evaluate")
def evaluate() -> None:
    """Not available yet."""
    raise click.ClickException("sqlrec evaluate is not available yet")
