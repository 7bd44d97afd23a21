import os
import subprocess
import sys

# Import the CLI package, then overwrite-create a LanceDB table in a new folder, the
# call that logs "No existing dataset ... it will be created" at warning level.
_CREATE_TABLE = """
import sys
import cli
import lancedb
import pyarrow as pa
lancedb.connect(sys.argv[1]).create_table("t", pa.table({"a": [1]}), mode="overwrite")
"""


def _create_table(tmp_path, environment):
    return subprocess.run(
        [sys.executable, "-c", _CREATE_TABLE, str(tmp_path / "lance")],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )


def test_cli_silences_lance_warnings(tmp_path):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("LANCE_LOG", "LANCEDB_LOG")
    }

    result = _create_table(tmp_path, environment)

    assert "No existing dataset" not in result.stderr


def test_cli_keeps_user_lance_log_level(tmp_path):
    environment = {**os.environ, "LANCEDB_LOG": "warn"}

    result = _create_table(tmp_path, environment)

    assert "No existing dataset" in result.stderr
