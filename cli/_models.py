"""Options shared by the commands that fit models: model names, seeds and epochs."""

from __future__ import annotations

import inspect
import json

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


#: Help of the repeatable ``--param`` option of train and evaluate.
PARAM_HELP = (
    "Model parameter MODEL.NAME=VALUE, repeatable: two_tower.learning_rate=0.001, "
    "item_knn.similarity=cosine, or hybrid.two_tower.epochs=5 for a part of the "
    "hybrid. VALUE is read as a JSON number, true, false or null when it is one, "
    "else as text. It overrides --epochs. \"sqlrec models\" lists every "
    "parameter with its default."
)


def parse_params(
    values: tuple[str, ...], registry, names: list[str] | None
) -> dict[str, dict]:
    """Return ``--param`` values as parameters by model name.

    Raises ``click.BadParameter`` for a value without ``MODEL.NAME=``, an
    unregistered model, or a model outside ``names`` (None selects all).
    """
    params: dict[str, dict] = {}
    known = ", ".join(sorted(registry)) or "none"
    for text in values:
        path, equals, raw = text.partition("=")
        keys = path.strip().split(".")
        if not equals or len(keys) < 2 or not all(keys):
            raise click.BadParameter(
                f"invalid parameter: {text!r}, expected MODEL.NAME=VALUE such as "
                "two_tower.epochs=5",
                param_hint="--param",
            )
        model = keys[0]
        if model not in registry:
            raise click.BadParameter(
                f"unknown model: {model} in {text!r}, expected one of {known}",
                param_hint="--param",
            )
        if names is not None and model not in names:
            _check_name_of(model, registry[model], keys[1], text)
            raise click.BadParameter(
                f"parameter of a model that is not selected: {text!r}, select "
                f"{model} too or leave the parameter out",
                param_hint="--param",
            )
        if len(keys) == 2 and keys[1] in registry:
            # The hybrid names its parts after the models, and each part takes
            # parameters of its own.
            raise click.BadParameter(
                f"invalid parameter: {text!r}, expected a parameter of the part"
                + _example_parameter(path.strip(), registry[keys[1]]),
                param_hint="--param",
            )
        target = params.setdefault(model, {})
        for key in keys[1:-1]:
            target = target.setdefault(key, {})
            if not isinstance(target, dict):
                raise _value_and_sub_parameters(text, key)
        if isinstance(target.get(keys[-1]), dict):
            raise _value_and_sub_parameters(text, keys[-1])
        if keys[-1] in target:
            raise click.BadParameter(
                f"parameter given twice: {path.strip()}, expected each parameter once",
                param_hint="--param",
            )
        target[keys[-1]] = _parse_value(raw)
    for model, model_params in params.items():
        _floats_where_defaults_are(model_params, registry[model], registry)
    return params


def _floats_where_defaults_are(params: dict, scorer_class, registry) -> None:
    """Turn whole numbers into floats where ``scorer_class`` defaults to a float.

    ``--param hybrid.popularity_penalty=4`` then records 4.0, as the default
    1.0 is recorded, so result tables hold one JSON type per parameter. The
    hybrid's parts, named after models, are handled the same way.
    """
    signature = inspect.signature(scorer_class).parameters
    for name, value in params.items():
        if isinstance(value, dict) and name in registry:
            _floats_where_defaults_are(value, registry[name], registry)
        elif (
            name in signature
            and type(signature[name].default) is float
            and type(value) is int
        ):
            params[name] = float(value)


def _example_parameter(path: str, scorer_class) -> str:
    """Return ", such as PATH.NAME=DEFAULT" for the first parameter of ``scorer_class``."""
    for parameter in inspect.signature(scorer_class).parameters.values():
        if parameter.default is not inspect.Parameter.empty:
            value = json.dumps(parameter.default)
            return f", such as {path}.{parameter.name}={value}"
    return ""


def _value_and_sub_parameters(text: str, key: str) -> click.BadParameter:
    """Return the error for a ``--param`` key given both a value and sub-parameters."""
    return click.BadParameter(
        f"invalid parameter: {text!r}, {key} has both a value and sub-parameters, "
        "expected one of the two",
        param_hint="--param",
    )


def _check_name_of(model: str, scorer_class, name: str, text: str) -> None:
    """Raise ``click.BadParameter`` when ``model`` has no parameter ``name``.

    Selecting the model would not help then, so this error comes first.
    """
    from engine.models import check_params

    try:
        check_params(model, scorer_class, {name: None})
    except ValueError as error:
        raise click.BadParameter(f"{error} (in {text!r})", param_hint="--param") from error


def _parse_value(raw: str):
    """Read a number, true, false or null as JSON, and anything else as text."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return raw
    # Lists and objects stay text, so every parameter is set one name at a time.
    return raw if isinstance(value, (list, dict)) else value


def merge_params(base: dict, override: dict) -> dict:
    """Return ``base`` with ``override`` laid over it, merging nested dicts by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_params(merged[key], value)
        else:
            merged[key] = value
    return merged


def epoch_params(epochs: int) -> dict[str, dict]:
    """Return model parameters that set the two towers' epochs, alone and in the hybrid."""
    two_tower = {"epochs": epochs}
    return {"two_tower": two_tower, "hybrid": {"two_tower": dict(two_tower)}}


def option_params(
    epochs: int | None,
    param_values: tuple[str, ...],
    registry,
    names: list[str] | None,
) -> dict[str, dict]:
    """Return the model parameters that ``--epochs`` and ``--param`` set.

    ``--param`` values override the epochs. Warns when ``--epochs`` reaches no
    selected model. Raises ``click.BadParameter`` as :func:`parse_params`, and
    for a parameter name or value that a selected model rejects, so that every
    mistake in ``--param`` is a usage error found before the store is opened.
    """
    from engine.models import get_model

    warn_unused_epochs(epochs, names)
    from_param = parse_params(param_values, registry, names)
    from_epochs = epoch_params(epochs) if epochs is not None else {}
    params = merge_params(from_epochs, from_param)
    for name in names or registry:
        try:
            get_model(name, **params.get(name, {}))
        except (TypeError, ValueError) as error:
            raise click.BadParameter(str(error), param_hint="--param") from error
    return params


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
