"""Fixtures for the hostile-input tests: an in-process app over each real store."""

import pytest

from tests.server.conftest import api, make_client


@pytest.fixture(params=["sqlite", "file"])
def client(request, tmp_path):
    test_client, _ = make_client(tmp_path, request.param)
    with test_client:
        yield test_client


def assert_refused(response):
    """A 400 in MLflow's error shape that shows nothing of the server's insides."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert set(body) == {"error_code", "message"}
    for leak in ("Traceback", "Error:", "/runtime/", ".py"):
        assert leak not in body["message"]
    return body["message"]


def new_run(client):
    experiment_id = client.post(api("/experiments/create"), json={"name": "hostile"}).json()["experiment_id"]
    return client.post(api("/runs/create"), json={"experiment_id": experiment_id}).json()["run"]["info"]["run_id"]


def run_data(client, run_id):
    return client.get(api("/runs/get"), params={"run_id": run_id}).json()["run"].get("data", {})
