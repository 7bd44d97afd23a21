"""The offline build: fit the models on every interaction and write a model version.

A version is written into a temporary directory beside the others and renamed
into place when it is complete, so a crash never leaves half a version under
its real name. Training holds the store's writer lock but not the catalog: the
interactions are read in one short connection, and the catalog stays open to
analysts while the models fit.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from engine.errors import NotBuiltError
from engine.features import InteractionData
from engine.models import MODELS, Progress, get_model
from engine.models._checks import fits_catalogue
from engine.models._hybrid import fit_in_build, resolved_params

_log = logging.getLogger(__name__)

#: Models fitted when none are named; the two towers serve, the rest are baselines.
DEFAULT_MODELS = (
    "popular",
    "item_knn",
    "user_knn",
    "sequence_knn",
    "sequence_linear",
    "metadata",
    "hybrid",
    "two_tower",
)


@dataclass
class TrainResult:
    """Outcome of one build: the version, its models and their fit times in seconds.

    A hybrid's fit time includes the parts it took from the same build, so it
    gives the cost of fitting the hybrid alone, and the times of a build can
    add up to more than its wall time. ``params`` contains every parameter of
    every model, defaults included.
    """

    version: str
    path: Path
    interaction_count: int
    fit_seconds: dict[str, float] = field(default_factory=dict)
    export_max_abs_diff: dict[str, float] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "path": str(self.path),
            "interaction_count": self.interaction_count,
            "seed": self.seed,
            "params": self.params,
            "fit_seconds": self.fit_seconds,
            "export_max_abs_diff": self.export_max_abs_diff,
        }


def new_version_name(models_path: Path) -> str:
    """A version name from the UTC time, unique among the versions already written."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("v%Y%m%dT%H%M%S")
    name, suffix = stamp, 1
    while (models_path / name).exists():
        suffix += 1
        name = f"{stamp}_{suffix}"
    return name


def check_model_names(names) -> tuple[str, ...]:
    """Validate model names against the registry, keeping their order."""
    names = tuple(dict.fromkeys(names))
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        known = ", ".join(sorted(MODELS))
        raise ValueError(f"unknown model: {', '.join(unknown) or '(none)'}, expected some of {known}")
    return names


def train(
    store,
    *,
    models=None,
    params: dict[str, dict[str, Any]] | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> TrainResult:
    """Fit ``models`` on all interactions of ``store`` and write a new model version.

    Parameters
    ----------
    store : Store
        An initialised store with interactions.
    models : sequence of str, optional
        Registry names; default :data:`DEFAULT_MODELS`, less the models whose
        ``max_items`` the catalogue passes. Serving needs ``two_tower``.
    params : dict, optional
        Constructor parameters per model name.
    seed : int, default=0
        Seed of every model that samples.
    progress : callable, optional
        ``progress(step, total, message)`` forwarded to each model's fit.

    Returns
    -------
    TrainResult
    """
    names = check_model_names(models or DEFAULT_MODELS)
    params = params or {}
    # get_model checks each model's parameters, so a bad value fails here,
    # before the first fit.
    scorers = {name: get_model(name, **params.get(name, {})) for name in names}
    with store.lock():
        # The version is recorded in the catalog only after every model fits, so
        # fail now, not after the fits, when another process keeps it open.
        store.check_writable()
        with store.connect() as con:
            data = InteractionData.from_catalog(con, "interactions")
        if data.interaction_count == 0:
            raise NotBuiltError(
                f'no interactions in {store.path} (load data with "sqlrec ingest")'
            )
        if models is None:
            names = tuple(
                name
                for name in names
                if fits_catalogue(name, scorers[name], data.item_count)
            )
            scorers = {name: scorers[name] for name in names}
        _remove_stale_staging(store.models_path)
        parent = (store.manifest() or {}).get("version")
        version = new_version_name(store.models_path)
        staging = store.models_path / f".tmp-{version}"
        staging.mkdir(parents=True)
        try:
            result = _fit_all(data, scorers, seed, progress, staging, version)
            # Every parameter of every model, defaults included, as evaluation
            # records them, so that later default changes leave the record true.
            params = {name: resolved_params(scorers[name]) for name in names}
            result.params, result.seed = params, seed
            _write_serving_snapshot(data, staging)
            _write_version_file(staging, version, parent, data, names, params, seed, result)
            staging.rename(store.version_path(version))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        # Absolute, so that the recorded path does not depend on where train ran.
        result.path = store.version_path(version).resolve()
        try:
            with store.writer() as con:
                con.execute(
                    "insert into model_versions (version, parent, created_at, "
                    "interaction_count, models, settings) values (?, ?, ?, ?, ?, ?)",
                    [
                        version, parent, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
                        data.interaction_count, list(names),
                        json.dumps(result.to_dict(), default=str),
                    ],
                )
        except BaseException:
            # A version without its model_versions row is not a trained version.
            shutil.rmtree(result.path, ignore_errors=True)
            raise
    _log.info("trained version %s with %s", version, ", ".join(names))
    return result


def _remove_stale_staging(models_path: Path) -> None:
    """Delete staging folders that a killed build left behind.

    Only a build that holds the store lock writes staging folders, and the
    caller holds it, so any that exist belong to a build that is gone.
    """
    for staging in models_path.glob(".tmp-*"):
        _log.warning("removing %s, left by an interrupted build", staging)
        shutil.rmtree(staging, ignore_errors=True)


def _fit_all(data, scorers, seed, progress, staging: Path, version: str) -> TrainResult:
    result = TrainResult(version, staging, data.interaction_count)
    # The hybrid fits last, so that it can take the parts this build has
    # already fitted with the same parameters instead of fitting them again.
    fitted = {}
    for name in sorted(scorers, key=lambda name: name == "hybrid"):
        scorer = scorers[name]
        fit_seconds = fit_in_build(
            name, scorer, data, seed=seed, progress=progress, fitted=fitted
        )
        scorer.save(staging / name)
        result.fit_seconds[name] = round(fit_seconds, 3)
        _log.info("fitted %s in %.1fs", name, result.fit_seconds[name])
        if name == "two_tower":
            from engine.export import export_towers

            diffs = export_towers(scorer, staging, check_data=data)
            result.export_max_abs_diff = {k: float(v) for k, v in diffs.items()}
    return result


def _write_serving_snapshot(data: InteractionData, directory: Path) -> None:
    """Write what serving needs from the catalog, so it never opens the catalog.

    ``seen.parquet`` lists each user's items in sequence order, for excluding
    them; ``popularity.parquet`` orders items by distinct users, for the fallback.
    """
    offsets = data.user_offsets()
    seen = pa.ListArray.from_arrays(
        pa.array(offsets, pa.int32()), pa.array(data.item_ids[data.items], pa.int64())
    )
    pq.write_table(
        pa.table({"user_id": pa.array(data.user_ids, pa.int64()), "item_ids": seen}),
        directory / "seen.parquet",
    )
    counts = (data.matrix() > 0).sum(axis=0).astype(np.int64)
    order = np.lexsort((data.item_ids, -counts))
    pq.write_table(
        pa.table({
            "item_id": pa.array(data.item_ids[order], pa.int64()),
            "user_count": pa.array(counts[order], pa.int64()),
        }),
        directory / "popularity.parquet",
    )


def _write_version_file(directory, version, parent, data, names, params, seed, result) -> None:
    info = {
        "version": version,
        "parent": parent,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "models": list(names),
        "params": params,
        "seed": seed,
        "user_count": data.user_count,
        "item_count": data.item_count,
        "interaction_count": data.interaction_count,
        "fit_seconds": result.fit_seconds,
        "export_max_abs_diff": result.export_max_abs_diff,
    }
    (directory / "version.json").write_text(json.dumps(info, indent=2, default=str))
