"""Smaller trace and registry behaviours, by raw requests on sqlite and file stores.

The v2 trace start/end pair (no call for it in MLflow 3.17.2's client), the
traces.json attachment the UI downloads, the mlflow.modelVersions tag a
model version leaves on its logged model, and the source regex setting.
"""

import json

import pytest

from tests.server.conftest import api, make_client


@pytest.fixture(params=["sqlite", "file"])
def client(request, tmp_path):
    test_client, _ = make_client(tmp_path, request.param)
    with test_client:
        yield test_client


def new_experiment(client, name="exp"):
    response = client.post(api("/experiments/create"), json={"name": name})
    assert response.status_code == 200, response.text
    return response.json()["experiment_id"]


def test_v2_start_then_end_trace(client):
    experiment_id = new_experiment(client)
    started = client.post(api("/traces"), json={
        "experiment_id": experiment_id, "timestamp_ms": 1_000,
        "request_metadata": [{"key": "meta", "value": "1"}], "tags": [{"key": "who", "value": "me"}]})
    assert started.status_code == 200, started.text
    info = started.json()["trace_info"]
    request_id = info["request_id"]
    assert info["status"] == "IN_PROGRESS" and info["timestamp_ms"] == 1_000
    assert info["experiment_id"] == experiment_id
    assert {"key": "who", "value": "me"} in info["tags"]

    ended = client.patch(api(f"/traces/{request_id}"), json={
        "timestamp_ms": 1_250, "status": "OK", "tags": [{"key": "done", "value": "yes"}],
        "request_metadata": [{"key": "more", "value": "2"}]})
    assert ended.status_code == 200, ended.text
    info = ended.json()["trace_info"]
    assert info["status"] == "OK" and info["execution_time_ms"] == 250
    tags = {t["key"]: t["value"] for t in info["tags"]}
    metadata = {t["key"]: t["value"] for t in info["request_metadata"]}
    assert tags["who"] == "me" and tags["done"] == "yes"
    assert metadata["meta"] == "1" and metadata["more"] == "2"
    fetched = client.get(api(f"/traces/{request_id}/info")).json()["trace_info"]
    assert fetched["status"] == "OK"


def test_v2_trace_errors(client):
    response = client.post(api("/traces"), json={"experiment_id": "424242", "timestamp_ms": 1})
    assert response.status_code == 404
    response = client.patch(api(f"/traces/{'f' * 32}"), json={"timestamp_ms": 1, "status": "OK"})
    assert response.status_code == 404
    assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_trace_artifact_is_an_attachment(client):
    experiment_id = new_experiment(client)
    request_id = client.post(api("/traces"), json={"experiment_id": experiment_id, "timestamp_ms": 5}).json()[
        "trace_info"]["request_id"]
    response = client.get("/ajax-api/3.0/mlflow/get-trace-artifact", params={"request_id": request_id})
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == "attachment; filename=traces.json"
    assert response.headers["content-type"].startswith("text/plain")
    assert json.loads(response.content) == {"spans": []}


def create_logged_model(client, experiment_id):
    response = client.post(api("/logged-models", "2.0"), json={"experiment_id": experiment_id, "name": "m"})
    assert response.status_code == 200, response.text
    return response.json()["model"]["info"]


def test_model_version_of_a_logged_model_is_recorded_on_it(client):
    experiment_id = new_experiment(client)
    model = create_logged_model(client, experiment_id)
    for name in ("reg-a", "reg-b"):
        assert client.post(api("/registered-models/create"), json={"name": name}).status_code == 200
        response = client.post(api("/model-versions/create"), json={
            "name": name, "source": f"models:/{model['model_id']}", "model_id": model["model_id"]})
        assert response.status_code == 200, response.text
    got = client.get(api("/logged-models/" + model["model_id"])).json()["model"]["info"]
    tags = {t["key"]: t["value"] for t in got["tags"]}
    assert json.loads(tags["mlflow.modelVersions"]) == [{"name": "reg-a", "version": "1"},
                                                        {"name": "reg-b", "version": "1"}]


def test_source_validation_regex(client, monkeypatch):
    monkeypatch.setenv("MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX", r"^s3://good-bucket/")
    assert client.post(api("/registered-models/create"), json={"name": "r"}).status_code == 200
    refused = client.post(api("/model-versions/create"), json={"name": "r", "source": "s3://other/model"})
    assert refused.status_code == 400
    assert refused.json() == {"error_code": "INVALID_PARAMETER_VALUE",
                              "message": "Invalid model version source: 's3://other/model'."}
    accepted = client.post(api("/model-versions/create"), json={"name": "r", "source": "s3://good-bucket/model"})
    assert accepted.status_code == 200, accepted.text


def test_bad_values_are_quoted_as_mlflow_quotes_them(client):
    response = client.post(api("/runs/search"), json={"experiment_ids": ["0"], "max_results": "many"})
    assert response.status_code == 400
    assert response.json()["message"].startswith('Invalid value "many" for parameter \'max_results\'')
