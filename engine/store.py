"""The store: one directory that contains the catalog, the LanceDB tables and the models.

Layout::

    store/
      manifest.json    active model version; replaced by an atomic rename, last
      catalog.duckdb   users, items, interactions, rejects, evaluation tables
      lance/           item embeddings with their metadata, one table per version
      models/<version>/ ONNX towers, vocabularies, fitted baselines, checkpoint

DuckDB locks its file across processes while a connection is open read-write, so
only offline jobs open the catalog for writing, and only for the length of a job.
Serving reads the manifest, the model files and LanceDB, never the catalog.
"""

from __future__ import annotations

import builtins
import contextlib
import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from engine._macros import load_macros
from engine.errors import StoreError
from engine.ingest._schema import create_core_tables
from engine.sqlfunctions import register_functions

_log = logging.getLogger(__name__)

CATALOG_FILE = "catalog.duckdb"
MANIFEST_FILE = "manifest.json"
LOCK_FILE = ".writer.lock"


class Store:
    """Handle on one store directory; cheap to create, opens nothing until used.

    Parameters
    ----------
    path : str or Path
        The store directory.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._recommender = None
        self._lock_depth = 0

    # Paths of the parts.
    @property
    def catalog_path(self) -> Path:
        return self.path / CATALOG_FILE

    @property
    def lance_path(self) -> Path:
        return self.path / "lance"

    @property
    def models_path(self) -> Path:
        return self.path / "models"

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST_FILE

    def version_path(self, version: str) -> Path:
        """Directory of one model version."""
        return self.models_path / version

    def exists(self) -> bool:
        """Tell whether the directory contains a catalog."""
        return self.catalog_path.is_file()

    def init(self) -> Store:
        """Create the directory layout and the core catalog tables; idempotent."""
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"store path is a file, not a directory: {self.path}")
        self.lance_path.mkdir(parents=True, exist_ok=True)
        self.models_path.mkdir(parents=True, exist_ok=True)
        with self.writer() as con:
            create_core_tables(con)
        return self

    def require(self) -> None:
        """Raise :class:`StoreError` unless the store has been initialised."""
        if not self.exists():
            raise StoreError(
                f'store not found: {self.path} (create it with "sqlrec init" '
                'or load data with "sqlrec ingest")'
            )

    # Catalog connections.
    @contextlib.contextmanager
    def connect(self, *, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the catalog with the sqlrec macros loaded, and close it afterwards.

        A read-only connection still fails while another process holds the
        catalog read-write, because DuckDB locks the whole file.
        """
        self.require()
        try:
            con = duckdb.connect(str(self.catalog_path), read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(
                f"catalog is open read-write in another process: {self.catalog_path} "
                f"(wait for that offline job, or close that DuckDB session) [{exc}]"
            ) from exc
        try:
            load_macros(con)
            register_functions(con, self)
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's writer lock; offline jobs run one at a time under it.

        The lock is reentrant within one :class:`Store` object, so a job can
        open several short catalog writes while it holds the lock. Serving never
        takes it.
        """
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        self.path.mkdir(parents=True, exist_ok=True)
        with builtins.open(self.path / LOCK_FILE, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise StoreError(
                    f"another offline job holds the writer lock of {self.path} "
                    "(wait for it to finish)"
                ) from exc
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Take the writer lock and open the catalog read-write, briefly.

        DuckDB locks the catalog file against every other process while this
        connection is open, so jobs keep it open only while they read or write
        rows, never while they train.
        """
        with self.lock():
            try:
                con = duckdb.connect(str(self.catalog_path))
            except duckdb.IOException as exc:
                raise StoreError(
                    f"catalog is open in another process: {self.catalog_path} "
                    f"(close that session and retry) [{exc}]"
                ) from exc
            try:
                load_macros(con)
                register_functions(con, self)
                yield con
            finally:
                con.close()

    # The manifest names the active version.
    def manifest(self) -> dict[str, Any] | None:
        """Read the active manifest, or ``None`` when no version was promoted yet."""
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return json.loads(text)

    def promote(self, manifest: dict[str, Any]) -> None:
        """Make ``manifest`` the active one by writing a temporary file and renaming it."""
        fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=self.path)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.manifest_path)
        self._recommender = None
        _log.info("promoted version %s", manifest.get("version"))

    # Online serving.
    def recommender(self):
        """Return the serving object of the active version, loading it on first use."""
        from engine.serving import Recommender

        # An index update keeps the version but pins a new item table version.
        manifest = self.manifest()
        if self._recommender is None or self._recommender.manifest != manifest:
            self._recommender = Recommender.load(self, manifest)
        return self._recommender

    def recommend(self, user_id: int | None, k: int = 10, **options):
        """Recommend ``k`` items to ``user_id``; see :meth:`Recommender.recommend`."""
        return self.recommender().recommend(user_id, k=k, **options)


def open(path: str | os.PathLike[str], *, create: bool = False) -> Store:  # noqa: A001
    """Open the store at ``path``; with ``create=True`` initialise it when missing."""
    store = Store(path)
    if create and not store.exists():
        store.init()
    elif not create:
        store.require()
    return store
