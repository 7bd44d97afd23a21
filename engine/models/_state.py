"""Saving and loading fitted scorer state, and the compact user histories they keep.

A saved scorer is one directory: ``scorer.json`` with the registry name, the
constructor arguments and any small JSON state, plus one ``<name>.npy`` file per
array, written and read with ``allow_pickle=False`` so loading runs no code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

STATE_FILE = "scorer.json"
FORMAT_VERSION = 1


def save_state(
    directory: Path,
    name: str,
    params: dict[str, Any],
    arrays: dict[str, np.ndarray],
    extra: dict[str, Any] | None = None,
) -> None:
    """Write the state of the scorer registered as ``name`` into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for key, array in arrays.items():
        np.save(directory / f"{key}.npy", np.asarray(array), allow_pickle=False)
    state = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "params": params,
        "arrays": sorted(arrays),
        "extra": extra or {},
    }
    (directory / STATE_FILE).write_text(json.dumps(state, indent=2), encoding="utf-8")


def load_state(
    directory: Path, name: str
) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, Any]]:
    """Read what :func:`save_state` wrote for the scorer ``name``.

    Returns
    -------
    params, arrays, extra : dict
        Constructor arguments, arrays by name and the small JSON state.

    Raises
    ------
    FileNotFoundError
        When ``directory`` contains no saved scorer.
    ValueError
        When the saved scorer has another registry name or format version.
    """
    directory = Path(directory)
    path = directory / STATE_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"saved scorer not found: {path} (save a fitted scorer first)"
        )
    state = json.loads(path.read_text(encoding="utf-8"))
    if state.get("name") != name:
        raise ValueError(
            f"invalid saved scorer: {directory} contains {state.get('name')!r}, "
            f"expected {name!r} (load it with the class registered under that name)"
        )
    if state.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"invalid saved scorer format: {state.get('format_version')!r} in {path}, "
            f"expected {FORMAT_VERSION} (refit and save the scorer again)"
        )
    arrays = {
        key: np.load(directory / f"{key}.npy", allow_pickle=False)
        for key in state["arrays"]
    }
    return state["params"], arrays, state["extra"]


def history_csr(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Compress a binary user x item matrix to ``(offsets, items)``.

    User u's distinct items, ascending, are ``items[offsets[u]:offsets[u + 1]]``.
    """
    users, items = np.nonzero(matrix)
    counts = np.bincount(users, minlength=matrix.shape[0])
    offsets = np.zeros(matrix.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets, items.astype(np.int64)
