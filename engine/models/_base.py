"""The contract every recommender of sqlrec follows.

A scorer is fitted on one :class:`~engine.features.InteractionData` and then
scores every catalogue item for a batch of users. Excluding the items a user
already interacted with is the caller's job (evaluation and serving both do
it), so a scorer returns raw scores for the whole catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from engine.features import InteractionData

#: ``progress(step, total, message)``; long fits call it once per step.
Progress = Callable[[int, int, str], None]


def named_progress(progress: Progress | None, name: str) -> Progress | None:
    """Wrap ``progress`` so that each message starts with ``name`` and a space.

    A scorer passes its registry name, so a caller that shows one progress
    bar per message head (as ``sqlrec train`` does) labels each bar with the
    model. ``None`` stays ``None``.
    """
    if progress is None:
        return None

    def report(step: int, total: int, message: str) -> None:
        progress(step, total, f"{name} {message}")

    return report


class Scorer:
    """Base class of the recommenders.

    Subclasses store their constructor arguments unchanged, learn state in
    :meth:`fit` under names ending in ``_``, and save that state in safe formats
    (JSON, ``.npy`` without pickles, torch ``state_dict`` loaded with
    ``weights_only=True``).

    Context
    -------
    ``score`` takes an optional ``context``: a dict of arrays aligned with
    ``users``. Known keys are ``hour`` (0-23), ``weekday`` (ISO, 1 = Monday
    to 7 = Sunday) and ``timestamp`` (unix seconds of the request), int64.
    Scorers that do not use context ignore it.
    """

    #: Registry name, used by ``sqlrec train --model`` and in result tables.
    name: ClassVar[str] = ""

    #: Largest catalogue the scorer fits, or None for no limit. Jobs that fit
    #: a default set of models leave out the ones whose limit a catalogue passes.
    max_items: ClassVar[int | None] = None

    def fit(
        self, data: InteractionData, *, seed: int = 0, progress: Progress | None = None
    ) -> Scorer:
        """Learn from ``data`` and return ``self``."""
        raise NotImplementedError

    def score(
        self, users: np.ndarray, *, context: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Score every catalogue item for each user index in ``users``.

        Returns
        -------
        ndarray of shape (len(users), item_count), float32
            Higher is better; column j is ``data.item_ids[j]`` of the fitted data.
        """
        raise NotImplementedError

    def check_params(self) -> None:
        """Check the constructor parameters and raise ValueError naming a bad one.

        Needs no data, so a job can check every model before it fits the
        first. :meth:`fit` runs the same checks.
        """

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments, for result tables and reproducibility."""
        return {
            key: value
            for key, value in vars(self).items()
            if not key.endswith("_") and not key.startswith("_")
        }

    def save(self, directory: Path) -> None:
        """Write the fitted state into ``directory`` (created if missing)."""
        raise NotImplementedError

    @classmethod
    def load(cls, directory: Path) -> Scorer:
        """Read a scorer written by :meth:`save`."""
        raise NotImplementedError
