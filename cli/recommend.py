"""`sqlrec recommend`: serve recommendations for one user from the active version."""

from __future__ import annotations

import json

import click
import pyarrow as pa
import pyarrow.compute as pc

from engine.errors import UnknownUserError


@click.command("recommend")
@click.option("--user", "user_id", type=int, required=True, help="User id.")
@click.option("--k", type=click.IntRange(min=1), default=10, show_default=True, help="Number of items.")
@click.option("--genre", help="Only items of this genre (case-sensitive, as in the items table).")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    help="Metadata condition COLUMN OP VALUE, repeatable: year>=1990, christmas=true, "
    "channel=C1|C2 (one of), channel!=C1|C2 (none of), genres~Horror|Comedy (the list "
    "contains any of them), genres~Horror&Comedy (contains all of them). Dates are "
    "ISO dates, such as release_date<1995-06-01 in a MovieLens catalogue (the demo "
    "catalogue has year and running_time instead).",
)
@click.option(
    "--hour",
    type=click.IntRange(0, 23),
    help="Hour of day of the request, 0-23. Default: now (UTC). Giving --hour or "
    "--weekday leaves the time since the user's latest interaction unknown.",
)
@click.option(
    "--weekday",
    type=click.IntRange(1, 7),
    help="ISO weekday of the request, 1 = Monday to 7 = Sunday. Default: today (UTC).",
)
@click.option(
    "--fallback",
    type=click.Choice(["popular"]),
    help="What an unknown user gets instead of an error.",
)
@click.option("--include-seen", is_flag=True, help="Keep items the user already interacted with.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_obj
def recommend(
    obj, user_id, k, genre, filters, hour, weekday, fallback, include_seen, as_json
) -> None:
    """Recommend K items to a user with the active model version.

    The query reads the hour, the weekday and the time since the user's latest
    interaction in the version. Without --hour and --weekday they are taken
    from now; with either, the time since is left unknown.

    Run as sqlrec -vv recommend to log, at debug level, which search path each
    query took (exact scan or IVF) and the row counts behind that choice.

    \b
    Example:
      sqlrec --store movies.sqlrec recommend --user 42 --k 10
      sqlrec --store movies.sqlrec recommend --user 42 --genre Comedy --hour 20 --weekday 5
    """
    from engine.index import Filter, compile_filters

    store = obj.open()
    try:
        parsed = [Filter.parse(text) for text in filters]
        compile_filters(parsed, store.recommender().index.schema)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--filter") from exc
    try:
        result = store.recommend(
            user_id, k=k, genre=genre, filters=parsed, hour=hour, weekday=weekday,
            fallback=fallback, exclude_seen=not include_seen,
        )
    except UnknownUserError as exc:
        raise click.ClickException(str(exc)) from exc

    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    if result.source == "popular":
        click.echo(f"user {user_id} is unknown: the most popular items instead")
    else:
        click.echo(f"user {user_id}: {result.source} model, version {result.version}")
    conditions = ([f"--genre {genre}"] if genre else []) + [
        f"--filter {text}" for text in filters
    ]
    shortfall = _shortfall_message(result, k, conditions, not include_seen)
    if shortfall:
        click.echo(shortfall)
    if genre and not len(result):
        hint = _genre_hint(store, genre)
        if hint:
            click.echo(hint)
    if not len(result):
        return
    click.echo(f"{'rank':>4}  {'item_id':>8}  {'score':>9}  title")
    for item in result:
        click.echo(f"{item.rank:>4}  {item.item_id:>8}  {item.score:9.4f}  {item.title or ''}")


def _genre_hint(store, genre: str) -> str | None:
    """Suggest the catalogue's spelling of ``genre`` when it differs only in case."""
    metadata = store.recommender().index.snapshot().metadata
    if "genres" not in metadata.column_names:
        return None
    column = metadata.column("genres")
    if not pa.types.is_list(column.type):
        return None
    names = pc.unique(pc.list_flatten(column)).to_pylist()
    matches = sorted(n for n in names if isinstance(n, str) and n.lower() == genre.lower())
    if not matches or genre in matches:
        return None
    return f"did you mean --genre {' or --genre '.join(matches)}?"


def _shortfall_message(
    result, k: int, conditions: list[str], exclude_seen: bool
) -> str | None:
    """Explain why fewer than ``k`` items came back, or return None.

    ``conditions`` are the filter options as given, such as ``--genre Comedy``.
    """
    if len(result) >= k:
        return None
    subject = "the filters" if conditions else "the catalogue"
    seen_count = (result.match_count or 0) - len(result)
    hides_seen = exclude_seen and result.source == "two_tower" and seen_count > 0
    if not len(result) and hides_seen:
        return (
            f"every item that matches {subject} ({result.match_count}) is one the user "
            "has already seen; pass --include-seen to list them"
        )
    if not len(result):
        return (
            f"no item matches {' '.join(conditions) or 'the filters'} (check the "
            "values against the items table with sqlrec sql; text values are "
            "case-sensitive)"
        )
    unseen = "unseen " if exclude_seen and result.source == "two_tower" else ""
    noun = "item matches" if len(result) == 1 else "items match"
    message = f"only {len(result)} {unseen}{noun} {subject}"
    if hides_seen:
        message += (
            f" ({seen_count} more the user has seen; pass --include-seen to list them)"
        )
    return message
