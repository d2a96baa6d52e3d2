"""Endpoint behaviours the real mlflow 3.17.2 client has calls for, through a live `mlf server` on sqlite."""

import json
import os
import subprocess
from pathlib import Path

import requests

from tests.server.live_server import LiveServer
from tests.support.mlflow_venv import mlflow_python

SCRIPT = Path(__file__).parent / "scripts" / "client_endpoints.py"


def test_real_client_sees_mlflows_endpoint_behaviours(tmp_path):
    env = dict(os.environ, MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX="^models:/")
    with LiveServer(f"sqlite:///{tmp_path / 'mlf.db'}", tmp_path / "mlartifacts", env=env) as server:
        client_env = dict(os.environ, MLFLOW_TRACKING_URI=server.url, MLFLOW_HTTP_REQUEST_MAX_RETRIES="1")
        client_env.pop("PYTHONPATH", None)
        result = subprocess.run([mlflow_python(), str(SCRIPT)], env=client_env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n--- server ---\n{server.output()[-3000:]}"
        seen = json.loads(result.stdout.strip().splitlines()[-1])
        assert seen["model_versions_tag"] == [{"name": "reg", "version": "1"}]
        assert seen["regex_refusal"] == "INVALID_PARAMETER_VALUE: Invalid model version source: 's3://elsewhere/model'."
        assert seen["text_matches"] == ["outer"]
        assert seen["assessment"] == ["relevance", 0.9]

        # The UI's GraphQL view of what the client logged (NaN as null, int64 as strings).
        query = ('query Q($d: MlflowGetMetricHistoryBulkIntervalInput!) { mlflowGetMetricHistoryBulkInterval('
                 'input: $d) { metrics { step value runId } } }')
        answer = requests.post(f"{server.url}/graphql", json={"query": query, "variables": {
            "d": {"runIds": [seen["run_id"]], "metricKey": "loss"}}}, timeout=30).json()
        assert answer["errors"] is None
        assert answer["data"]["mlflowGetMetricHistoryBulkInterval"]["metrics"] == [
            {"step": "1", "value": 0.5, "runId": seen["run_id"]}, {"step": "2", "value": None, "runId": seen["run_id"]}]
