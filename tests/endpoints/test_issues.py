"""The issues API (/api/3.0/mlflow/issues...) through a live `mlf server`: the real mlflow 3.17.2 client's
REST store on sqlite, raw requests for errors, the file store's refusal."""

import requests

from tests.endpoints.client_script import run_client_script
from tests.server.live_server import LiveServer

API = "/api/3.0/mlflow/issues"


def test_real_client_manages_issues(tmp_path):
    with LiveServer(f"sqlite:///{tmp_path / 'mlf.db'}", tmp_path / "mlartifacts") as server:
        seen = run_client_script("client_issues.py", server)

        bad_status = requests.post(f"{server.url}{API}", json={"experiment_id": "1", "name": "n", "description": "d",
                                                                 "status": "open"}, timeout=30)
        assert bad_status.status_code == 400 and bad_status.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        no_description = requests.post(f"{server.url}{API}", json={"experiment_id": "1", "name": "n"}, timeout=30)
        assert no_description.status_code == 400
        assert "description" in no_description.json()["message"]
        bad_filter = requests.post(f"{server.url}{API}/search", json={"filter_string": "name = 'x'"}, timeout=30)
        assert bad_filter.status_code == 400
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
