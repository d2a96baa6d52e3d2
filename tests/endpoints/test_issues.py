"""The issues API (/api/3.0/mlflow/issues...) through a live `mlf server`: the real mlflow 3.17.2 client's
REST store on sqlite, raw requests for errors, the file store's refusal."""

import json
import os
import subprocess
from pathlib import Path

import requests

from tests.server.live_server import LiveServer
from tests.support.mlflow_venv import mlflow_python

SCRIPT = Path(__file__).parent / "scripts" / "client_issues.py"
API = "/api/3.0/mlflow/issues"


def test_real_client_manages_issues(tmp_path):
    with LiveServer(f"sqlite:///{tmp_path / 'mlf.db'}", tmp_path / "mlartifacts") as server:
        env = dict(os.environ, MLFLOW_TRACKING_URI=server.url, MLFLOW_HTTP_REQUEST_MAX_RETRIES="1")
        env.pop("PYTHONPATH", None)
        result = subprocess.run([mlflow_python(), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n--- server ---\n{server.output()[-3000:]}"

        bad_status = requests.post(f"{server.url}{API}", json={"experiment_id": "1", "name": "n", "description": "d",
                                                                 "status": "open"}, timeout=30)
        assert bad_status.status_code == 400 and bad_status.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        no_description = requests.post(f"{server.url}{API}", json={"experiment_id": "1", "name": "n"}, timeout=30)
        assert no_description.status_code == 400
        assert "description" in no_description.json()["message"]
        bad_filter = requests.post(f"{server.url}{API}/search", json={"filter_string": "name = 'x'"}, timeout=30)
        assert bad_filter.status_code == 400
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["created"] == {"status": "pending", "severity": "low", "root_causes": ["cold cache"],
                               "categories": ["latency"], "source_run_id": True, "created_by": "judge",
                               "id_prefix": "iss-"}
    assert seen["updated"] == ["resolved", "wrong refund policy", "quotes 60 days"]
    assert seen["fetched"] == "wrong refund policy"
    assert seen["order"] == ["wrong refund policy", "slow answers"]  # highest severity first
    assert seen["resolved"] == ["wrong refund policy"]
    assert seen["counted"] == [0, 0]
    assert seen["paged"] == [1, True, ["slow answers"]]
    assert seen["missing"] == ["RESOURCE_DOES_NOT_EXIST", "RESOURCE_DOES_NOT_EXIST: Issue with ID 'iss-missing' not found"]
    assert seen["no_experiment"] == "RESOURCE_DOES_NOT_EXIST"


def test_file_store_refuses_issues_as_mlflow_does(tmp_path):
    with LiveServer(str(tmp_path / "mlruns"), tmp_path / "mlartifacts") as server:
        answer = requests.post(f"{server.url}{API}/search", json={}, timeout=30)
    assert answer.status_code == 501
    assert answer.json()["error_code"] == "FEATURE_DISABLED"
