"""`sqlrec models`: the models that train and evaluate fit, with their parameters."""

from __future__ import annotations

import json
import re
import textwrap

import click

from cli._models import parse_models

_WIDTH = 88
_PYTHON_LITERALS = {"None": "null", "True": "true", "False": "false"}


@click.command("models")
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the models as one JSON list.")
def models(names: tuple[str, ...], as_json: bool) -> None:
    """List the models and each parameter with its default, for --model and --param.

    NAMES (comma-separated or several) limits the list to those models. A
    parameter is set with --param MODEL.NAME=VALUE on train and evaluate, and a
    part of the hybrid with --param hybrid.PART.NAME=VALUE.

    \b
    Example:
      sqlrec models
      sqlrec models item_knn,two_tower
      sqlrec models --json
    """
    from engine.models import MODELS, describe_model

    selected = parse_models(names, MODELS, "NAMES") or list(MODELS)
    descriptions = [describe_model(name) for name in selected]
    if as_json:
        payload = [description.to_dict() for description in descriptions]
        for model in payload:
            for parameter in model["parameters"]:
                parameter["type"] = _cli_spelling(parameter["type"])
                parameter["description"] = _cli_spelling(parameter["description"])
        click.echo(json.dumps(payload, indent=2))
        return
    blocks = [_render(description, MODELS) for description in descriptions]
    click.echo("\n\n".join(blocks))


def _render(description, registry) -> str:
    lines = [f"{description.name}: {description.summary}"]
    if description.max_items is not None:
        lines.append(f"  fits catalogues of at most {description.max_items:,} items")
    if not description.parameters:
        lines.append("  no parameters")
    part_defaults = getattr(registry[description.name], "part_defaults", {})
    for parameter in description.parameters:
        if parameter.name in registry:
            changed = ", ".join(
                f"{key}={_cli_value(value)}"
                for key, value in part_defaults.get(parameter.name, {}).items()
            )
            changed = f" but {changed}" if changed else ""
            lines.append(
                f"  {parameter.name}.NAME=VALUE  (the {parameter.name} part, as in "
                f'"sqlrec models {parameter.name}"{changed})'
            )
            continue
        kind = f"  ({_cli_spelling(parameter.type)})" if parameter.type else ""
        lines.append(f"  {parameter.name}={_cli_value(parameter.default)}{kind}")
        if parameter.description:
            lines.extend(
                textwrap.wrap(
                    _cli_spelling(parameter.description),
                    _WIDTH,
                    initial_indent=" " * 6,
                    subsequent_indent=" " * 6,
                )
            )
    return "\n".join(lines)


def _cli_spelling(text: str) -> str:
    """Write Python's None, True and False as --param reads them: null, true, false."""
    return re.sub(
        r"\b(None|True|False)\b", lambda match: _PYTHON_LITERALS[match.group(1)], text
    )


def _cli_value(value) -> str:
    """Write ``value`` as --param reads it: JSON for numbers, booleans and null."""
    return value if isinstance(value, str) else json.dumps(value)
