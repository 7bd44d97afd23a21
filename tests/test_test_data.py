"""The slow tests find the data sets where SQLREC_TEST_DATA points."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_test_data_env_variable(tmp_path):
    script = "import conftest; print(conftest.ML100K)"

    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "SQLREC_TEST_DATA": str(tmp_path)},
        cwd=TESTS,
        check=True,
    )

    assert result.stdout.strip() == str(tmp_path / "ml-100k")
