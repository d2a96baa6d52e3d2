"""``runs/create-promptlab-run`` (the UI's prompt engineering page) through a live `mlf server`: the run,
its params and tags, the eval table and a model directory the real mlflow 3.17.2 reads."""

import json
import subprocess

import requests

from tests.server.live_server import LiveServer
from tests.support.mlflow_venv import mlflow_python

PATH = "/ajax-api/2.0/mlflow/runs/create-promptlab-run"
REQUEST = {
    "experiment_id": "0", "run_name": "try-1", "tags": [{"key": "team", "value": "docs"}],
    "prompt_template": "Answer {{question}}", "prompt_parameters": [{"key": "question", "value": "why?"}],
    "model_route": "chat", "model_parameters": [{"key": "temperature", "value": 0.2}],
    "model_input": "Answer why?", "model_output": "because", "model_output_parameters": [{"key": "latency", "value": 12}],
    "mlflow_version": "3.17.2", "user_id": "ana",
}
READ_MODEL = """
import json, sys
from mlflow.models import Model
model = Model.load(sys.argv[1])
print(json.dumps({"flavor": model.flavors["python_function"]["loader_module"],
                  "inputs": model.signature.inputs.input_names(), "run_id": model.run_id}))
"""


def test_promptlab_run_is_a_whole_run(tmp_path):
    artifacts = tmp_path / "mlartifacts"
    with LiveServer(f"sqlite:///{tmp_path / 'mlf.db'}", artifacts) as server:
        answer = requests.post(server.url + PATH, json=REQUEST, timeout=30)
        assert answer.status_code == 200, answer.text
        run = answer.json()["run"]
        missing = requests.post(server.url + PATH, json={**REQUEST, "model_route": ""}, timeout=30)
        files = requests.get(f"{server.url}/api/2.0/mlflow/artifacts/list",
                             params={"run_id": run["info"]["run_id"], "path": "model"}, timeout=30).json()
        table = requests.get(f"{server.url}/get-artifact",
                             params={"run_id": run["info"]["run_id"], "path": "eval_results_table.json"}, timeout=30)
    assert run["info"]["status"] == "FINISHED" and run["info"]["run_name"] == "try-1"
    assert run["info"]["user_id"] == "ana"
    params = {p["key"]: p["value"] for p in run["data"]["params"]}
    assert params == {"temperature": "0.2", "model_route": "chat", "prompt_template": "Answer {{question}}"}
    tags = {t["key"]: t["value"] for t in run["data"]["tags"]}
    assert tags["team"] == "docs" and tags["mlflow.source.type"] == "PROMPT_ENGINEERING"
    assert json.loads(tags["mlflow.loggedArtifacts"]) == [{"path": "eval_results_table.json", "type": "table"}]
    assert json.loads(tags["mlflow.log-model.history"])[0]["artifact_path"] == "model"
    assert json.loads(table.content) == {"columns": ["question", "prompt", "output", "latency"],
                                         "data": [["why?", "Answer why?", "because", "12"]]}
    assert {f["path"] for f in files["files"]} >= {"model/MLmodel", "model/parameters.yaml", "model/requirements.txt",
                                                   "model/python_env.yaml", "model/conda.yaml"}
    assert missing.status_code == 400
    assert missing.json() == {"error_code": "INVALID_PARAMETER_VALUE",
                              "message": "CreatePromptlabRun request must specify model_route."}

    model_dirs = list(artifacts.rglob("MLmodel"))
    assert len(model_dirs) == 1
    read = subprocess.run([mlflow_python(), "-c", READ_MODEL, str(model_dirs[0].parent)], capture_output=True,
                          text=True, timeout=120)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout.strip().splitlines()[-1]) == {
        "flavor": "mlflow.prompt.promptlab_model", "inputs": ["question"], "run_id": run["info"]["run_id"]}
