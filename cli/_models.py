"""Options shared by the commands that fit models: model names, seeds and epochs."""

from __future__ import annotations

import click

#: Seeds that numpy, torch and the k-means sample all accept.
SEED = click.IntRange(min=0, max=2**32 - 1)


def parse_models(values: tuple[str, ...], registry, option: str) -> list[str] | None:
    """Return the model names of a repeatable, comma-separated option, or None.

    Raises ``click.BadParameter`` naming ``option`` for an empty value, an
    unregistered name or a name given twice.
    """
    if not values:
        return None
    names = [name.strip() for value in values for name in value.split(",")]
    names = [name for name in names if name]
    known = ", ".join(sorted(registry)) or "none"
    if not names:
        quoted_values = " ".join(repr(value) for value in values)
        raise click.BadParameter(
            f"invalid models: {quoted_values}, expected comma-separated names "
            f"of {known}",
            param_hint=option,
        )
    unknown = [name for name in names if name not in registry]
    if unknown:
        raise click.BadParameter(
            f"unknown model: {', '.join(unknown)}, expected one of {known}",
            param_hint=option,
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise click.BadParameter(
            f"model given twice: {', '.join(repeated)}, expected each name once",
            param_hint=option,
        )
    return names


def epoch_params(epochs: int) -> dict[str, dict]:
    """Return model parameters that set the two towers' epochs, alone and in the hybrid."""
    two_tower = {"epochs": epochs}
    return {"two_tower": two_tower, "hybrid": {"two_tower": dict(two_tower)}}


def warn_unused_epochs(epochs: int | None, names: list[str] | None) -> None:
    """Warn on stderr when ``--epochs`` is given but no selected model trains epochs."""
    if epochs is None or names is None:
        return
    if not set(names) & set(epoch_params(epochs)):
        click.echo(
            f"warning: --epochs {epochs} is ignored: it sets the epochs of two_tower "
            f"and hybrid, and the selected models are {', '.join(names)}",
            err=True,
        )
