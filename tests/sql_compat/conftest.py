"""Fixtures of the database compatibility tests: databases of each kind and real mlflow peers."""

import contextlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.sql_compat.peers import peer_env, peer_python
from tests.support.databases import database_available, fresh_database

HERE = Path(__file__).resolve().parent
SESSION_SCRIPT = HERE / "peer_session.py"
KINDS = ["sqlite", "postgresql", "mysql"]
# The driver each peer uses for a database kind (mlf picks its own from the bare scheme).
_PEER_SCHEMES = {"postgresql": "postgresql+psycopg2", "mysql": "mysql+pymysql"}


@contextlib.contextmanager
def database(kind, directory, name="compat.db"):
    """(URL for mlf, URL for an mlflow peer) of a new empty database of kind."""
    if kind == "sqlite":
        url = f"sqlite:///{directory / name}"
        yield url, url
        return
    if not database_available(kind):
        pytest.fail(f"{kind} is not reachable on 127.0.0.1; it must be running for these tests")
    with fresh_database(kind) as url:
        rest = url.split("://", 1)[1]
        yield url, f"{_PEER_SCHEMES[kind]}://{rest}"


def run_peer(version, *args, cwd, timeout=600):
    """Run peer_session.py with mlflow==version in cwd (its ./mlruns); return the JSON it printed last."""
    env = peer_env({"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_TRACKING_URI": ""})
    result = subprocess.run([peer_python(version), str(SESSION_SCRIPT), *map(str, args)], env=env,
                            capture_output=True, text=True, timeout=timeout, cwd=cwd)
    assert result.returncode == 0, f"mlflow {version} failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def run_mlf(*args, env=None, check=True):
    """Run the mlf CLI in a subprocess; return the completed process."""
    import sys

    full_env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    full_env.update(env or {})
    result = subprocess.run([sys.executable, "-m", "runtime", *map(str, args)], capture_output=True, text=True,
                            env=full_env, timeout=600)
    if check:
        assert result.returncode == 0, f"mlf {' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(params=KINDS)
def kind(request):
    return request.param
