"""Fixtures shared by every suite: one seed, the real data sets, a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
#: Folder with the data sets the slow tests read: $SQLREC_TEST_DATA when set, else
#: shared/data beside the clone.
SHARED_DATA = Path(
    os.environ.get("SQLREC_TEST_DATA") or REPO.parent / "shared" / "data"
).expanduser()
ML100K = SHARED_DATA / "ml-100k"
MIND = SHARED_DATA / "mind-sample"


@pytest.fixture
def seed() -> int:
    return 20261204


@pytest.fixture(scope="session")
def ml100k_dir() -> Path:
    if not (ML100K / "u.data").is_file():
        pytest.skip(
            f"MovieLens-100K not found in {ML100K} (set SQLREC_TEST_DATA to the "
            "folder that contains ml-100k/)"
        )
    return ML100K


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "test.sqlrec"


# A second process that opens a DuckDB file read-only, reports on stdout that it
# has it open, and closes it after the given seconds.
_HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("open", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


@pytest.fixture
def hold_catalog():
    """Return ``hold(path, seconds)``, which keeps ``path`` open read-only in a child.

    ``hold`` returns once the child has the file open. The child closes it after
    ``seconds``, and every child still running is stopped at teardown.
    """
    children = []

    def hold(path: Path, seconds: float = 600) -> subprocess.Popen:
        child = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(path), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        children.append(child)
        assert child.stdout.readline().strip() == "open"
        return child

    yield hold
    for child in children:
        child.kill()
        child.wait()
