"""Fixtures for the server tests: in-process apps over real stores, and backend URIs for live servers."""

import contextlib

import pytest

from tests.support.databases import database_available, fresh_database

BASE_URL = "http://localhost:5000"


@contextlib.contextmanager
def backend_uri(kind, tmp_path):
    """A fresh backend store URI of kind file, sqlite or postgresql (dropped afterwards)."""
    if kind == "file":
        yield str(tmp_path / "mlruns")
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'mlf.db'}"
    else:
        if not database_available(kind):
            pytest.fail(f"{kind} is not reachable on 127.0.0.1; it must be running for the server tests")
        with fresh_database(kind) as url:
            yield url


def make_client(tmp_path, kind="sqlite", module_names=None, **config_overrides):
    """(TestClient context manager, config) for an app over a fresh store; the caller enters the client."""
    from starlette.testclient import TestClient

    from runtime.server.app import build_app
    from runtime.server.config import ServerConfig

    uri = str(tmp_path / "mlruns") if kind == "file" else f"sqlite:///{tmp_path / 'mlf.db'}"
    settings = {"backend_store_uri": uri, "artifacts_destination": str(tmp_path / "mlartifacts")}
    settings.update(config_overrides)
    config = ServerConfig(**settings)
    return TestClient(build_app(config, module_names), base_url=BASE_URL), config


@pytest.fixture(params=["sqlite", "file"])
def client(request, tmp_path):
    test_client, _ = make_client(tmp_path, request.param)
    with test_client:
        yield test_client


@pytest.fixture
def sqlite_client(tmp_path):
    test_client, _ = make_client(tmp_path, "sqlite")
    with test_client:
        yield test_client


def api(path, version="2.0"):
    return f"/api/{version}/mlflow{path}"


def create_run(client, experiment_name="exp"):
    """(experiment_id, run_id) of a new run in a new experiment."""
    response = client.post(api("/experiments/create"), json={"name": experiment_name})
    assert response.status_code == 200, response.text
    experiment_id = response.json()["experiment_id"]
    response = client.post(api("/runs/create"), json={"experiment_id": experiment_id, "start_time": 1000})
    assert response.status_code == 200, response.text
    return experiment_id, response.json()["run"]["info"]["run_id"]
