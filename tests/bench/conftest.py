"""Fixtures of the benchmark tests: the bench folder on the path and a tiny store.

The benchmark's helpers live in ``bench/_anchors``, which the accuracy script
imports as a top-level package from its own folder; the tests do the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import engine

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from bench_data import TINY_SEQUENCES, build_store  # noqa: E402


@pytest.fixture
def tiny_store(tmp_path) -> engine.Store:
    """The tiny store of ``bench_data``, described in that module's docstring."""
    return build_store(tmp_path / "tiny.sqlrec", TINY_SEQUENCES)
