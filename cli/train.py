"""`sqlrec train`: not written yet."""

import click


@click.command("train")
def train() -> None:
    """Not available yet."""
    raise click.ClickException("sqlrec train is not available yet")
