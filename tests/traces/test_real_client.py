"""The real MLflow 3.17.2 client (its own venv) traces to `mlf server`; `mlf traces search/get` find, filter and
fetch those traces with their spans through REST and directly on the server's store; feedback logged with
`mlf` is read back by the real client."""

import json
import os
import subprocess

import pytest

from tests.cli.helpers import mlf
from tests.server.conftest import backend_uri
from tests.server.live_server import ROOT, LiveServer
from tests.support.mlflow_venv import mlflow_python

SCRIPT = ROOT / "tests" / "traces" / "scripts" / "log_traces_real_client.py"


def real_client(server, *args):
    env = dict(os.environ, MLFLOW_TRACKING_URI=server.url, MLFLOW_HTTP_REQUEST_MAX_RETRIES="2",
               MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR="1", MLFLOW_ENABLE_ASYNC_TRACE_LOGGING="false")
    env.pop("PYTHONPATH", None)
    result = subprocess.run([mlflow_python(), str(SCRIPT), *args], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n--- server ---\n{server.output()[-4000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def search(uri, experiment_id, *args):
    result = mlf("traces", "search", "-x", experiment_id, "--output", "json", *args, tracking_uri=uri)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["traces"]


def check_traces(uri, ids):
    """What `mlf traces` must see of the real client's traces, wherever it reads them from."""
    experiment_id = ids["experiment_id"]
    everything = search(uri, experiment_id)
    assert {t["info"]["trace_id"] for t in everything} == {ids["answer"], ids["failed"], ids["in_run"]}
    prod = search(uri, experiment_id, "--filter-string", "tags.env = 'prod' AND status = 'OK'",
                  "--order-by", "timestamp_ms ASC")
    assert [t["info"]["trace_id"] for t in prod] == [ids["answer"], ids["in_run"]]
    assert [t["info"]["trace_id"] for t in search(uri, experiment_id, "--run-id", ids["run_id"])] == [ids["in_run"]]
    errors = search(uri, experiment_id, "--filter-string", "status = 'ERROR' AND name = 'failing_tool'")
    assert [t["info"]["trace_id"] for t in errors] == [ids["failed"]]
    assert errors[0]["data"]["spans"][0]["status"]["code"] == "STATUS_CODE_ERROR"
    fetched = mlf("traces", "get", "--trace-id", ids["answer"], tracking_uri=uri)
    assert fetched.returncode == 0, fetched.stderr
    trace = json.loads(fetched.stdout)
    spans = {s["name"]: s for s in trace["data"]["spans"]}
    assert set(spans) == {"answer", "retrieve", "generate"}
    assert spans["retrieve"]["parent_span_id"] == spans["answer"]["span_id"]
    assert json.loads(spans["generate"]["attributes"]["mlflow.spanType"]) == "LLM"
    assert json.loads(spans["retrieve"]["attributes"]["mlflow.spanOutputs"]) == {"documents": ["doc-1", "doc-2"]}
    assert trace["info"]["request_preview"] == '{"question": "What is six times seven?"}'
    assert json.loads(trace["info"]["trace_metadata"]["mlflow.trace.tokenUsage"])["total_tokens"] == 15
    names = mlf("traces", "search", "-x", experiment_id, "--extract-fields",
                "info.tags.`mlflow.traceName`,data.spans.*.name", "--filter-string", f"trace_id = '{ids['answer']}'",
                tracking_uri=uri)
    assert "answer" in names.stdout and "retrieve" in names.stdout


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "file"])
def test_real_client_traces_through_mlf_server(kind, tmp_path):
    with backend_uri(kind, tmp_path) as uri, LiveServer(uri, tmp_path / "mlartifacts") as server:
        ids = real_client(server, "log", f"traces-{kind}")
        check_traces(server.url, ids)  # through REST
        check_traces(uri, ids)  # directly on the server's store
        logged = mlf("traces", "log-feedback", "--trace-id", ids["answer"], "--name", "helpful", "--value", "0.75",
                     "--source-type", "HUMAN", "--source-id", "reviewer@example.com", "--rationale", "mostly right",
                     tracking_uri=server.url)
        assert logged.returncode == 0, logged.stderr
        tagged = mlf("traces", "set-tag", "--trace-id", ids["answer"], "--key", "reviewed", "--value", "yes",
                     tracking_uri=server.url)
        assert tagged.returncode == 0, tagged.stderr
        seen = real_client(server, "read", ids["answer"], "helpful")
        assert seen == {"value": 0.75, "rationale": "mostly right", "source": "reviewer@example.com",
                        "spans": ["answer", "retrieve", "generate"], "searched": [ids["answer"]]}
