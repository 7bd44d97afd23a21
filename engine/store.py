"""The store: one directory that contains the catalog, the LanceDB tables and the models.

Layout::

    store/
      manifest.json    active model version; replaced by an atomic rename, last
      catalog.duckdb   users, items, interactions, rejects, evaluation tables
      lance/           item embeddings with their metadata, one table per version
      models/<version>/ ONNX towers, vocabularies, fitted baselines, checkpoint

DuckDB locks its file across processes: a read-write connection excludes every
other connection, and a read-only one excludes writers. Offline jobs open the
catalog for writing only while they read or write rows, and every open waits up to
``open_timeout`` seconds for another process to close the file. Serving reads the
manifest, the model files and LanceDB, never the catalog.
"""

from __future__ import annotations

import builtins
import contextlib
import fcntl
import json
import logging
import os
import re
import tempfile
import time
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

#: Storage format of new catalogs: the oldest DuckDB release that must read them.
#: DuckDB 2.0 writes v1.5.0 files when asked, and the DuckDB 1.5 shell (such as
#: the duckdb-cli package) cannot open files in the 2.0 format. An existing file
#: keeps the format it was created with.
CATALOG_STORAGE_VERSION = "v1.5.0"

#: Environment variable with the seconds a catalog open waits for other processes.
OPEN_TIMEOUT_ENV = "SQLREC_OPEN_TIMEOUT"
DEFAULT_OPEN_TIMEOUT = 30.0

# Waits between open attempts double from the first to the last value, in seconds.
_FIRST_RETRY_DELAY = 0.05
_MAX_RETRY_DELAY = 1.0


class Store:
    """Handle on one store directory; cheap to create, opens nothing until used.

    Parameters
    ----------
    path : str or Path
        The store directory.
    open_timeout : float, optional
        Seconds a catalog open retries while another process has the catalog
        open, before it raises :class:`StoreError`. Default: the environment
        variable ``SQLREC_OPEN_TIMEOUT``, else 30. 0 tries once.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, open_timeout: float | None = None
    ):
        self.path = Path(path)
        self.open_timeout = open_timeout
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
            if self.path.exists():
                raise StoreError(
                    f"not a store: {self.path} exists but has no catalog.duckdb "
                    "(pass the store directory, or create a store there with "
                    '"sqlrec init")'
                )
            raise StoreError(
                f'store not found: {self.path} (create it with "sqlrec init" '
                'or load data with "sqlrec ingest")'
            )

    # Catalog connections.
    @contextlib.contextmanager
    def connect(self, *, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the catalog with the sqlrec macros loaded, and close it afterwards.

        Read-only connections of several processes share the file, but a
        read-only open waits while another process has it open read-write, and
        a read-write open waits while any other process has it open. The wait
        lasts at most ``open_timeout`` seconds.
        """
        self.require()
        con = self._open_catalog(read_only=read_only)
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
            con = self._open_catalog(read_only=False)
            try:
                load_macros(con)
                register_functions(con, self)
                yield con
            finally:
                con.close()

    def check_writable(self) -> None:
        """Open the catalog read-write and close it at once, or raise :class:`StoreError`.

        A job that writes only after a long computation calls this first, so it
        fails before the computation when another process has the catalog open.
        The open waits and fails like the one of :meth:`writer`. Another process
        can still open the catalog after this check, so the final write may fail.
        """
        self._open_catalog(read_only=False).close()

    def _open_catalog(self, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        """Open the catalog, retrying with backoff while another process has it open."""
        timeout = self._open_timeout()
        config = {}
        if not read_only and not self.catalog_path.exists():
            config["storage_compatibility_version"] = CATALOG_STORAGE_VERSION
        deadline = time.monotonic() + timeout
        delay = _FIRST_RETRY_DELAY
        attempts = 0
        while True:
            attempts += 1
            try:
                return duckdb.connect(
                    str(self.catalog_path), read_only=read_only, config=config
                )
            except duckdb.IOException as exc:
                if not _is_lock_conflict(exc):
                    raise StoreError(
                        f"failed to open catalog {self.catalog_path}: {exc}"
                    ) from exc
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise StoreError(
                        f"timed out after {timeout:g}s waiting for catalog "
                        f"{self.catalog_path}, which is open in another process"
                        f"{_lock_holder(exc)}. Close that "
                        'process, such as an open "sqlrec sql" prompt or DuckDB '
                        "shell, or let its job finish, then retry, or set "
                        f"{OPEN_TIMEOUT_ENV} to wait longer"
                    ) from exc
                if attempts == 1:
                    _log.info(
                        "catalog %s is open in another process, retrying for up to %gs",
                        self.catalog_path,
                        timeout,
                    )
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, _MAX_RETRY_DELAY)

    def _open_timeout(self) -> float:
        """Return the seconds to wait: ``open_timeout``, else the environment variable."""
        if self.open_timeout is not None:
            return _checked_timeout("open_timeout", self.open_timeout)
        text = os.environ.get(OPEN_TIMEOUT_ENV, "").strip()
        if not text:
            return DEFAULT_OPEN_TIMEOUT
        return _checked_timeout(OPEN_TIMEOUT_ENV, text)

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


def open(  # noqa: A001
    path: str | os.PathLike[str],
    *,
    create: bool = False,
    open_timeout: float | None = None,
) -> Store:
    """Open the store at ``path``; with ``create=True`` initialise it when missing.

    ``open_timeout`` is passed to :class:`Store`.
    """
    store = Store(path, open_timeout=open_timeout)
    if create and not store.exists():
        store.init()
    elif not create:
        store.require()
    return store


def _is_lock_conflict(exc: duckdb.IOException) -> bool:
    """Tell whether DuckDB failed to open a file because another process locks it."""
    message = str(exc)
    return "Could not set lock" in message or "Conflicting lock" in message


def _lock_holder(exc: duckdb.IOException) -> str:
    """Return ' (PID <n>, <executable>; ...)' from DuckDB's lock message, or ''.

    DuckDB 2.0 names only the holder's executable, such as a python3.11 path, so
    the text points to ps for the command line instead of guessing the program.
    """
    found = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", str(exc))
    if not found:
        return ""
    executable, pid = found.groups()
    return f" (PID {pid}, {executable}; run 'ps -p {pid} -o args' to see its command)"


def _checked_timeout(source: str, value: float | str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 <= seconds < float("inf"):
        raise StoreError(
            f"invalid {source}: {value!r}, expected a finite number of seconds >= 0"
        )
    return seconds
