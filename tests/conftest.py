"""Fixtures shared by every suite: one seed, the real data sets, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
ML100K = SHARED_DATA / "ml-100k"
MIND = SHARED_DATA / "mind-sample"


@pytest.fixture
def seed() -> int:
    return 20261204


@pytest.fixture(scope="session")
def ml100k_dir() -> Path:
    if not (ML100K / "u.data").is_file():
        pytest.skip(f"MovieLens-100K not found in {ML100K}")
    return ML100K


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "test.sqlrec"
