"""End to end with the real MLflow 3.17.2 client (its own venv) logging to `mlf server`.

tests/server/scripts/train_real_client.py runs a training session with
`import mlflow` and asserts what it reads back; here we check the server
side: where the artifacts landed and what a second client sees.
"""

import json
import os
import subprocess

import pytest

from tests.server.conftest import backend_uri
from tests.server.live_server import ROOT, LiveServer
from tests.support.mlflow_venv import mlflow_python

SCRIPT = ROOT / "tests" / "server" / "scripts" / "train_real_client.py"


def run_client(server, *args, timeout=300):
    # Few, quick retries: a server error should fail the test, not stall it for minutes.
    env = dict(os.environ, MLFLOW_TRACKING_URI=server.url, MLFLOW_HTTP_REQUEST_MAX_RETRIES="2",
               MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR="1")
    env.pop("PYTHONPATH", None)
    result = subprocess.run([mlflow_python(), *map(str, args)], env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"client failed:\n{result.stdout}\n{result.stderr}\n--- server ---\n{server.output()[-4000:]}"
    return result.stdout


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "file"])
def test_training_session_with_the_real_client(kind, tmp_path):
    destination = tmp_path / "mlartifacts"
    with backend_uri(kind, tmp_path) as uri, LiveServer(uri, destination) as server:
        out = run_client(server, SCRIPT, f"e2e-{kind}")
        ids = json.loads(out.strip().splitlines()[-1])
        run_root = destination / ids["experiment_id"] / ids["run_id"] / "artifacts"
        assert (run_root / "single.txt").read_text() == "single file\n"
        assert (run_root / "dir" / "a.txt").read_text() == "a\n"
        assert (run_root / "dir" / "sub" / "b.bin").stat().st_size == 300_000
        assert json.loads((run_root / "config" / "c.json").read_text()) == {"a": 1, "b": [1, 2]}
        assert not list(destination.rglob(".tmp-*")), "no upload may leave a temp file behind"
