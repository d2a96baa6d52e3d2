"""Fixtures for the UI tests: the server app over real stores, seeded with hostile names through the API."""

import re

import pytest

from tests.server.conftest import api, make_client

# Every user-controlled string in the fixtures: markup, both quotes, non-ASCII.
HOSTILE = "<script>alert(\"x\")</script> 'q' ü☃"
RAW_MARKERS = ("<script>alert", "</script> 'q'")


def assert_escaped(text):
    for marker in RAW_MARKERS:
        assert marker not in text, f"unescaped user string in page: {marker!r}"


def post(client, path, body, status=200):
    response = client.post(api(path), json=body)
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture(params=["sqlite", "file"])
def kind(request):
    return request.param


@pytest.fixture
def ui(tmp_path, kind):
    test_client, config = make_client(tmp_path, kind)
    with test_client:
        yield test_client


@pytest.fixture
def prefixed(tmp_path, kind):
    test_client, config = make_client(tmp_path, kind, static_prefix="/sub/mlf")
    with test_client:
        yield test_client


def seed(client, prefix=""):
    """An experiment and runs whose names, params, tags and metrics are hostile; returns ids."""
    path = lambda p: prefix + p  # noqa: E731
    experiment_id = client.post(path(api("/experiments/create")),
                                json={"name": "exp " + HOSTILE, "tags": [{"key": "team ü", "value": HOSTILE}]}
                                ).json()["experiment_id"]
    runs = []
    for index in range(3):
        run = client.post(path(api("/runs/create")), json={
            "experiment_id": experiment_id, "run_name": f"run{index} {HOSTILE}", "start_time": 1000 + index,
            "tags": [{"key": "note", "value": HOSTILE}]}).json()["run"]["info"]["run_id"]
        runs.append(run)
        response = client.post(path(api("/runs/log-batch")), json={
            "run_id": run,
            "params": [{"key": "p " + "ü", "value": HOSTILE}, {"key": "lr", "value": str(0.1 * (index + 1))}],
            "metrics": [{"key": "loss", "value": 1.0 / (step + 1 + index), "timestamp": 5000 + step, "step": step}
                        for step in range(20)],
            "tags": [{"key": "mlflow.note.content", "value": "# Title\n\n" + HOSTILE + " [x](javascript:alert(1))"}],
        })
        assert response.status_code == 200, response.text
    return experiment_id, runs


def links(html):
    return re.findall(r'(?:href|src|action)="([^"]*)"', html)
