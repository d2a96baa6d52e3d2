"""Start-up stays light: help and file-store commands import no heavy library.

Checked with `python -X importtime` in a subprocess: deterministic, unlike a stopwatch.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("sqlalchemy", "requests", "yaml", "jinja2", "jsonschema", "alembic", "starlette", "uvicorn",
             "pandas", "numpy", "urllib3", "handlers")


def imported_modules(args, tmp_path, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    environment.update({"PYTHONPATH": str(ROOT), "MLFLOW_TRACKING_URI": str(tmp_path / "mlruns")})
    environment.update(env or {})
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "runtime", *args], capture_output=True,
                            text=True, env=environment, cwd=tmp_path)
    modules = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            modules.add(name)
    return result, modules


def _offenders(modules, allowed=()):
    return sorted(m for m in modules if m.split(".")[0] in FORBIDDEN and m.split(".")[0] not in allowed)


@pytest.mark.parametrize("args", [["--help"], ["experiments", "--help"], ["runs", "list", "--help"], ["--version"]])
def test_help_imports_nothing_heavy(args, tmp_path):
    result, modules = imported_modules(args, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert modules, "importtime produced no output"
    assert _offenders(modules) == []


def test_file_store_search_imports_nothing_heavy(tmp_path):
    result, modules = imported_modules(["experiments", "search"], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "runtime.store.file.store" in modules
    assert _offenders(modules, allowed=("handlers",)) == []


def test_file_store_runs_list_imports_nothing_heavy(tmp_path):
    result, modules = imported_modules(["runs", "list", "--experiment-id", "0"], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _offenders(modules, allowed=("handlers",)) == []
