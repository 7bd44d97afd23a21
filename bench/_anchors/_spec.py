"""Description of one benchmarked model: how to build it and which grid to tune."""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.models import Scorer

#: Hyperparameter grid: each name maps to the values tried; configurations are the
#: cartesian product, in the order the names and values are written.
Grid = Mapping[str, Sequence[Any]]


@dataclass(frozen=True)
class ModelSpec:
    """One row of the benchmark: a sqlrec model or a public anchor.

    Attributes
    ----------
    name : str
        Short key, used on the command line and in the JSON results.
    label : str
        Name printed in the tables.
    source : {"sqlrec", "anchor"}
        Whether the model is sqlrec's own or a public anchor.
    build : callable
        ``build(**params)`` returns a new, unfitted :class:`Scorer`.
    grid, quick_grid : mapping of str to sequence
        Hyperparameters tried on the tuning phase, in the full and in the
        ``--quick`` run. An empty grid means one configuration, the defaults.
    seeded : bool
        Whether ``fit`` depends on the seed. Models that do not are fitted once on
        the final phase, since every seed would give the same numbers.
    protocols : tuple of str
        Protocols the model runs under.
    requires : tuple of str
        Modules that must be importable (third-party anchors).
    """

    name: str
    label: str
    source: str
    build: Callable[..., Scorer]
    grid: Grid = field(default_factory=dict)
    quick_grid: Grid | None = None
    seeded: bool = False
    protocols: tuple[str, ...] = ("loo", "temporal")
    requires: tuple[str, ...] = ()

    def configurations(self, quick: bool = False) -> list[dict[str, Any]]:
        """Expand the grid (the quick one when ``quick``) into parameter dicts."""
        grid = self.quick_grid if quick and self.quick_grid is not None else self.grid
        return expand_grid(grid)

    def missing_modules(self) -> list[str]:
        """Return the required modules that cannot be imported here."""
        return [
            name for name in self.requires if importlib.util.find_spec(name) is None
        ]


def expand_grid(grid: Grid) -> list[dict[str, Any]]:
    """Return every combination of ``grid`` as a list of dicts, the last name fastest.

    Examples
    --------
    >>> expand_grid({"a": [1, 2], "b": ["x"]})
    [{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'x'}]
    >>> expand_grid({})
    [{}]
    """
    names = list(grid)
    for name in names:
        if len(grid[name]) == 0:
            raise ValueError(
                f"invalid grid: {name!r} has no values, expected at least one"
            )
    return [dict(zip(names, values)) for values in itertools.product(*grid.values())]


def describe(params: Mapping[str, Any]) -> str:
    """Format parameters as ``name=value`` pairs for tables and model names."""
    return ", ".join(f"{key}={value}" for key, value in params.items()) or "defaults"
