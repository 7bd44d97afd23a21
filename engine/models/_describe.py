"""Descriptions of the registered models and their parameters, read from the code.

Each parameter's default comes from the scorer's constructor signature, and its
type and first sentence from the ``Parameters`` section of the scorer's
docstring, so the listing cannot drift from what the constructor accepts.
"""

from __future__ import annotations

import dataclasses
import inspect
import re

#: A parameter line of a docstring: one or more names, a colon, then the type.
_HEADER = re.compile(r"^(\w+(?:, \w+)*) : (.+)$")


@dataclasses.dataclass(frozen=True)
class ParameterDescription:
    """One constructor parameter of a model: its default, type and meaning."""

    name: str
    default: object
    type: str
    description: str

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class ModelDescription:
    """A registered model: its name, a one-line summary, its parameters and limit.

    ``max_items`` is the largest catalogue the model fits, or None for no limit.
    """

    name: str
    summary: str
    parameters: list[ParameterDescription]
    max_items: int | None = None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "summary": self.summary,
            "max_items": self.max_items,
            "parameters": [parameter.to_dict() for parameter in self.parameters],
        }


def describe_scorer(name: str, scorer_class: type) -> ModelDescription:
    """Describe ``scorer_class``, registered as ``name``, from its signature and docstring.

    A parameter that the docstring does not list gets an empty type and
    description, so a new parameter still appears with its default.
    """
    doc = inspect.cleandoc(scorer_class.__doc__ or "")
    summary = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    documented = _documented_parameters(doc)
    parameters = []
    signature = inspect.signature(scorer_class.__init__)
    for parameter in list(signature.parameters.values())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        header_type, description = documented.get(parameter.name, ("", ""))
        parameters.append(
            ParameterDescription(
                parameter.name, parameter.default, _type_of(header_type), description
            )
        )
    return ModelDescription(
        name, summary, parameters, getattr(scorer_class, "max_items", None)
    )


def _documented_parameters(doc: str) -> dict[str, tuple[str, str]]:
    """Map each name in the ``Parameters`` section to its header type and first sentence.

    The header type is the text after the colon, such as ``int, default=20``.

    Consecutive header lines without a description of their own share the
    description that follows them, as the numpy docstring convention allows.
    """
    lines = doc.splitlines()
    try:
        start = lines.index("Parameters") + 2
    except ValueError:
        return {}
    documented: dict[str, tuple[str, str]] = {}
    pending: list[tuple[list[str], str]] = []
    text: list[str] = []

    def flush() -> None:
        sentence = _first_sentence(" ".join(text))
        for names, kind in pending:
            for name in names:
                documented[name] = (kind, sentence)

    for line in lines[start:]:
        header = _HEADER.match(line)
        if header:
            if text:
                flush()
                pending, text = [], []
            pending.append((header.group(1).split(", "), header.group(2)))
        elif line.startswith(" "):
            text.append(line.strip())
        elif line.strip():
            # The next section's title ends the parameters.
            break
    flush()
    return documented


def _type_of(header_type: str) -> str:
    """Return the type part of ``int, default=20``: ``int``."""
    return re.split(r",\s*(?:default|optional)\b", header_type, maxsplit=1)[0].strip()


def _first_sentence(text: str) -> str:
    """Return ``text`` up to its first full stop that ends a sentence, as plain text.

    Docstring markup goes: ``:func:`name``` and ``name`` both become name,
    and a "(see ...)" pointer into the code is dropped.
    """
    text = re.sub(r"\s*\(see [^)]*\)", "", text)
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text)
    text = re.sub(r"``([^`]+)``", r"\1", text)
    match = re.search(r"\.(?:\s|$)", text)
    return text[: match.start() + 1] if match else text
