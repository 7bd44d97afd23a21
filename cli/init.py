"""`sqlrec init`: create an empty store."""

import click


@click.command("init")
@click.pass_obj
def init(obj) -> None:
    """Create an empty store at --store (idempotent)."""
    store = obj.open(create=True)
    click.echo(f"store ready: {store.path}")
