"""The filtered-search benchmark's argument checks, recall and output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ann

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_recall_empty_truth_and_result():
    assert ann.recall([np.array([])], [np.array([])]) == 1.0


def test_recall_empty_truth_with_result():
    assert ann.recall([np.array([4])], [np.array([])]) == 0.0


def test_recall_counts_hits():
    found = [np.array([1, 2]), np.array([5])]
    truth = [np.array([1, 3]), np.array([5, 6])]

    assert ann.recall(found, truth) == 0.5


def run_bench(*args):
    return subprocess.run(
        [sys.executable, str(BENCH / "ann.py"), *args],
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [("--sizes", "0"), ("--sizes", "1000,-5"), ("--ks", "0"), ("--queries", "x")],
)
def test_ann_rejects_non_positive(option, value):
    result = run_bench(option, value)

    assert result.returncode == 2
    assert f"argument {option}: invalid value: " in result.stderr
    assert "expected a positive integer" in result.stderr


def test_ann_prints_table_once():
    result = run_bench(
        "--sizes", "2000", "--queries", "3", "--ks", "10", "--skip", "hnswlib,lancedb"
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.startswith("| 2,000 |")]
    assert lines.count("| items | k | filter | path | p50 ms | p99 ms | recall | build s |") == 1
    assert len(rows) == 8
    assert all("| 1.000 |" in row for row in rows if "| 0.01% |" in row)
