"""Model versions on disk: list them, and remove the old ones that no process serves.

Every train writes a version folder under ``models/``, and every index a LanceDB
table named ``items_<version>``. Nothing else removes them, so a store trained
every week grows without end. :func:`prune_versions` removes the files of the
old versions and keeps their ``model_versions`` rows, marked with the time of
removal, so the history stays queryable in SQL.

This module imports neither torch nor lancedb at the top, so that listing
versions starts fast.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import shutil
from pathlib import Path

from engine.errors import StoreError
from engine.index import item_table_name

_log = logging.getLogger(__name__)

#: Added to ``model_versions`` by the first prune of a store created before it.
_REMOVED_COLUMN = "alter table model_versions add column if not exists removed_at timestamp"


@dataclasses.dataclass(frozen=True)
class VersionInfo:
    """One recorded model version and what of it is on disk."""

    version: str
    created_at: dt.datetime
    parent: str | None
    models: list[str]
    interaction_count: int
    active: bool
    indexed: bool
    size_bytes: int
    removed_at: dt.datetime | None

    def to_dict(self) -> dict:
        info = dataclasses.asdict(self)
        info["created_at"] = self.created_at.isoformat()
        info["removed_at"] = self.removed_at.isoformat() if self.removed_at else None
        return info


@dataclasses.dataclass
class PruneResult:
    """Versions that a prune removed (or would remove, in a dry run) and kept."""

    removed: list[str]
    kept: list[str]
    freed_bytes: int
    dry_run: bool

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def list_versions(store) -> list[VersionInfo]:
    """Describe every version that ``model_versions`` records, oldest first.

    ``active`` marks the version the manifest serves, ``indexed`` one with a
    LanceDB table, and ``size_bytes`` counts its folder and its table.
    """
    with store.connect() as con:
        has_removed = bool(
            con.execute(
                "select count(*) from information_schema.columns where "
                "table_name = 'model_versions' and column_name = 'removed_at'"
            ).fetchone()[0]
        )
        removed = "removed_at" if has_removed else "null::timestamp"
        rows = con.execute(
            "select version, created_at, parent, models, interaction_count, "
            f"{removed} from model_versions order by version"
        ).fetchall()
    active = (store.manifest() or {}).get("version")
    versions = []
    for version, created_at, parent, models, interaction_count, removed_at in rows:
        # A local LanceDB keeps each table in a folder named after it.
        table_path = store.lance_path / f"{item_table_name(version)}.lance"
        indexed = table_path.is_dir()
        size = _size(store.version_path(version)) + _size(table_path)
        versions.append(
            VersionInfo(
                version=version,
                created_at=created_at,
                parent=parent,
                models=list(models),
                interaction_count=int(interaction_count),
                active=version == active,
                indexed=indexed,
                size_bytes=size,
                removed_at=removed_at,
            )
        )
    return versions


def prune_versions(store, *, keep: int, dry_run: bool = False) -> PruneResult:
    """Remove every version except the ``keep`` newest and the one being served.

    A removed version loses its folder and its LanceDB table. Its row in
    ``model_versions`` stays, with ``removed_at`` set. With ``dry_run`` nothing
    changes and the result lists what would go. Runs under the store's writer
    lock, so no train or index runs meanwhile. When the catalog cannot be
    written, the moved folders go back and no table is dropped.
    """
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise ValueError(
            f"invalid keep: {keep!r}, expected a whole number >= 1 (the newest "
            "versions to keep)"
        )
    with store.lock():
        versions = list_versions(store)
        present = [info for info in versions if info.removed_at is None]
        # Tables that an earlier prune failed to drop.
        leftover = [info.version for info in versions if info.removed_at and info.indexed]
        newest = {info.version for info in present[-keep:]}
        kept = [info.version for info in present if info.version in newest or info.active]
        to_remove = [info for info in present if info.version not in kept]
        result = PruneResult(
            removed=[info.version for info in to_remove],
            kept=kept,
            freed_bytes=sum(info.size_bytes for info in to_remove),
            dry_run=dry_run,
        )
        if dry_run:
            return result
        _drop_tables(store, leftover)
        if not to_remove:
            return result
        store.check_writable()
        trash = _move_to_trash(store, [info.version for info in to_remove])
        removed_at = _utc_now()
        try:
            with store.writer() as con:
                con.execute(_REMOVED_COLUMN)
                con.executemany(
                    "update model_versions set removed_at = ? where version = ?",
                    [[removed_at, version] for version in result.removed],
                )
        except BaseException:
            for version, path in trash.items():
                path.rename(store.version_path(version))
            raise
        _drop_tables(store, result.removed)
        for path in trash.values():
            shutil.rmtree(path, ignore_errors=True)
    _log.info(
        "pruned %d versions (%d bytes), kept %s",
        len(result.removed),
        result.freed_bytes,
        ", ".join(result.kept),
    )
    return result


def _move_to_trash(store, versions: list[str]) -> dict[str, Path]:
    """Rename each version's folder out of sight; undo every rename on failure."""
    moved: dict[str, Path] = {}
    try:
        for version in versions:
            source = store.version_path(version)
            if not source.is_dir():
                continue
            target = store.models_path / f".trash-{version}"
            shutil.rmtree(target, ignore_errors=True)
            source.rename(target)
            moved[version] = target
    except OSError as error:
        for moved_version, path in moved.items():
            path.rename(store.version_path(moved_version))
        raise StoreError(
            f"failed to remove the folder of version {version}: {error} (nothing "
            "was removed; check the permissions of the models folder)"
        ) from error
    return moved


def _drop_tables(store, versions: list[str]) -> None:
    """Drop the LanceDB tables of ``versions``; a table that fails is logged and kept.

    The versions are already marked removed, so a table left behind contains no
    data anyone serves, and the next prune drops it.
    """
    if not store.lance_path.is_dir():
        return
    import lancedb

    db = lancedb.connect(str(store.lance_path))
    for version in versions:
        try:
            db.drop_table(item_table_name(version), ignore_missing=True)
        except Exception as error:  # noqa: BLE001 - one table must not stop the rest.
            _log.warning("failed to drop the table of version %s: %s", version, error)


def _size(path: Path) -> int:
    if not path.exists():
        return 0
    return sum(child.stat().st_size for child in path.rglob("*") if child.is_file())


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
