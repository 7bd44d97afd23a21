"""`sqlrec demo`: not written yet."""

import click


@click.command("demo")
def demo() -> None:
    """Not available yet."""
    raise click.ClickException("sqlrec demo is not available yet")
