"""The index step: embed every catalogue item with the item tower and promote the version.

Items that arrived after training are embedded too: their ids are outside the
tower's vocabulary, so their vector comes from their metadata alone.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

import numpy as np
import pyarrow as pa

from engine.errors import NotBuiltError
from engine.index._table import ItemIndex

_log = logging.getLogger(__name__)

EMBED_BATCH_SIZE = 4096


def item_table_name(version: str) -> str:
    """Name of the LanceDB table that contains the item vectors of ``version``."""
    return f"items_{version}"


def latest_version(store) -> str:
    """Name of the newest model version that ``model_versions`` records in ``store``.

    A version folder without its row, such as one a failed train left behind, is
    skipped.
    """
    versions = _recorded_versions(store)
    if not versions:
        raise NotBuiltError(f'no trained model version in {store.path} (run "sqlrec train")')
    return versions[-1]


def _recorded_versions(store) -> list[str]:
    """Names of the complete, recorded model versions in ``store``, oldest first."""
    with store.connect() as con:
        rows = con.execute("select version from model_versions").fetchall()
    recorded = {version for (version,) in rows}
    return sorted(
        p.name
        for p in store.models_path.glob("v*")
        if p.name in recorded and (p / "version.json").is_file()
    )


def _check_has_towers(store, version: str) -> None:
    """Raise :class:`NotBuiltError` naming a fix when ``version`` has no item tower."""
    from engine.export import ITEM_TOWER_FILE

    if (store.version_path(version) / ITEM_TOWER_FILE).is_file():
        return
    with_towers = [
        name
        for name in _recorded_versions(store)
        if (store.version_path(name) / ITEM_TOWER_FILE).is_file()
    ]
    fix = 'train one with the two-tower model ("sqlrec train --model two_tower")'
    if with_towers:
        fix += (
            f" or index version {with_towers[-1]}, the newest that has one "
            f'("sqlrec index --version {with_towers[-1]}")'
        )
    raise NotBuiltError(
        f"version {version} has no item tower, so it cannot be indexed: {fix}"
    )


def embed_items(version_path, items: pa.Table, progress=None) -> np.ndarray:
    """Run the exported item tower over ``items`` rows, in batches.

    Returns
    -------
    ndarray of shape (item_count, embedding_size), float32
    """
    from engine.export import ITEM_TOWER_FILE, OnnxTower, TowerInputs

    tower_file = version_path / ITEM_TOWER_FILE
    if not tower_file.is_file():
        raise NotBuiltError(
            f"version {version_path.name} has no item tower (train it with "
            '"sqlrec train --model two_tower")'
        )
    inputs = TowerInputs.load(version_path / "two_tower")
    tower = OnnxTower(tower_file)
    item_ids = items.column("item_id").to_numpy()
    known = np.isin(item_ids, inputs.item_ids)
    # Encode the metadata as it is now, so updated rows and new items are current.
    features = inputs.item_encoder.transform(items)

    chunks = []
    total = len(item_ids)
    for start in range(0, total, EMBED_BATCH_SIZE):
        stop = min(start + EMBED_BATCH_SIZE, total)
        # Items unknown to the vocabulary get index 0, so only metadata speaks.
        batch = inputs.item_inputs(item_ids[start:stop])
        batch["item_features"] = features[start:stop]
        chunks.append(tower.run(batch))
        if progress:
            progress(stop, total, "embed items")
    _log.info("embedded %d items (%d outside the vocabulary)", total, int((~known).sum()))
    return np.concatenate(chunks) if chunks else np.zeros((0, 0), dtype=np.float32)


def build_index(store, *, version: str | None = None, seed: int = 0, progress=None) -> dict:
    """Embed the catalogue with ``version``'s item tower, index it, and promote it.

    The manifest is replaced last, so serving processes switch from the old
    version to the new one in one step. ``seed`` seeds the k-means sample that
    partitions the item vectors.

    Returns
    -------
    dict
        The new manifest.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"invalid seed: {seed!r}, expected a non-negative integer")
    with store.lock():
        version = version or latest_version(store)
        version_path = store.version_path(version)
        if not (version_path / "version.json").is_file():
            raise NotBuiltError(f"model version not found: {version} in {store.models_path}")
        _check_has_towers(store, version)
        started = time.perf_counter()
        with store.connect() as con:
            items = con.sql("select * from items order by item_id").to_arrow_table()
        if items.num_rows == 0:
            raise NotBuiltError(f'no items in {store.path} (load them with "sqlrec ingest")')
        embeddings = embed_items(version_path, items, progress)
        table_name = item_table_name(version)
        index = ItemIndex.build(store.lance_path, table_name, items, embeddings, seed=seed)
        manifest = {
            "version": version,
            "item_table": table_name,
            "item_table_version": index.table_version,
            "embedding_size": int(embeddings.shape[1]),
            "seed": seed,
            "item_count": int(items.num_rows),
            "promoted_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        }
        promote_index(store, manifest)
    _log.info("built index of %s in %.1fs", version, time.perf_counter() - started)
    return manifest


def promote_index(store, manifest: dict) -> None:
    """Record ``manifest`` in its version's ``index.json`` and make it the active one.

    Then delete the versions of its item table that no manifest pins: a build
    leaves about ten (one per index it creates) and every update at least one.
    """
    version_path = store.version_path(manifest["version"])
    (version_path / "index.json").write_text(json.dumps(manifest, indent=2))
    store.promote(manifest)

    # NOTE: a process that read the previous manifest but has not loaded its
    # rows yet fails once, and loads the new manifest on its next request.
    table_name = manifest["item_table"]
    try:
        ItemIndex(store.lance_path, table_name).cleanup_versions(
            pinned_versions(store, table_name)
        )
    except (OSError, RuntimeError, ValueError) as exc:
        _log.warning(
            "failed to delete old versions of %s, which only costs disk space "
            "(the next index run retries): %s",
            table_name,
            exc,
        )


def pinned_versions(store, table_name: str) -> set[int]:
    """Return the versions of ``table_name`` that a manifest pins.

    The manifests are the active one and each model version's ``index.json``.
    """
    manifests = [store.manifest() or {}]
    for record in store.models_path.glob("*/index.json"):
        manifests.append(json.loads(record.read_text()))
    return {
        m["item_table_version"]
        for m in manifests
        if m.get("item_table") == table_name and m.get("item_table_version") is not None
    }
