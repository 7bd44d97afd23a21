"""The wheel carries the SQL macros and ONNX contracts and runs outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; dependencies come from this environment."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(work / "dist"), str(REPO)],
        check=True,
    )
    wheel = next((work / "dist").glob("sqlrec-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True
    )
    # Reuse this environment's dependencies instead of downloading them again. A
    # path added by a .pth line does not run that directory's own .pth files, so
    # the editable install of the checkout stays invisible.
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    Path(target, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SQLREC_STORE")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_wheel_imports_from_site_packages(installed, tmp_path):
    result = run(installed, str(installed / "bin" / "python"), "-c",
                 "import engine, cli; print(engine.__file__)", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert str(installed) in result.stdout


def test_wheel_ships_macros(installed, tmp_path):
    result = run(installed, str(installed / "bin" / "sqlrec"), "sql", "--print-macros", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "create or replace temp macro recall_at_k" in result.stdout


def test_wheel_ships_onnx_contracts(installed, tmp_path):
    code = (
        "import importlib.resources as r, json;"
        "print(sorted(p.name for p in r.files('onnx_models').iterdir() if p.name.endswith('.json')))"
    )
    result = run(installed, str(installed / "bin" / "python"), "-c", code, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "query_tower.json" in result.stdout
    assert "item_tower.json" in result.stdout


def test_wheel_runs_a_store_command(installed, tmp_path):
    store = tmp_path / "w.sqlrec"

    created = run(installed, str(installed / "bin" / "sqlrec"), "--store", str(store), "init", cwd=tmp_path)
    queried = run(installed, str(installed / "bin" / "sqlrec"), "--store", str(store), "sql",
                  "--format", "csv", "select count(*) as n from interactions", cwd=tmp_path)

    assert created.returncode == 0, created.stderr
    assert queried.stdout.splitlines() == ["n", "0"]
