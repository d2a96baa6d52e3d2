"""Run one of scripts/*.py with the real mlflow 3.17.2 client against a live `mlf server`."""

import json
import os
import subprocess
from pathlib import Path

from tests.support.mlflow_venv import mlflow_python

SCRIPTS = Path(__file__).parent / "scripts"


def run_client_script(name, server):
    """What the script saw (the JSON object on its last stdout line); fails with both sides' output."""
    env = dict(os.environ, MLFLOW_TRACKING_URI=server.url, MLFLOW_HTTP_REQUEST_MAX_RETRIES="1")
    env.pop("PYTHONPATH", None)
    result = subprocess.run([mlflow_python(), str(SCRIPTS / name)], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n--- server ---\n{server.output()[-3000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])
