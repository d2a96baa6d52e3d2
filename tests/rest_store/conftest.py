"""A RestStore talking to a fresh mlf server (sqlite or file backend) for each test."""

import pytest

from runtime.server.config import ServerConfig
from tests.rest_store.threaded_server import ThreadedServer


@pytest.fixture(params=["sqlite", "file"])
def served(request, tmp_path):
    backend = f"sqlite:///{tmp_path / 'mlf.db'}" if request.param == "sqlite" else str(tmp_path / "mlruns")
    # The artifact root is the whole tmp_path, so tests may choose local artifact locations inside it.
    config = ServerConfig(backend_store_uri=backend, artifacts_destination=str(tmp_path))
    with ThreadedServer(config) as server:
        yield server


@pytest.fixture
def store(served):
    from runtime.store.rest.store import RestStore

    rest = RestStore(served.url, environ={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
    yield rest
    rest.close()


@pytest.fixture
def backend(store):
    return type(store).__name__


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory):
    """A real `mlflow server` 3.17.2 (pinned venv) on sqlite with proxied artifacts, shared by a module."""
    from tests.server.live_server import mlflow_peer_server

    server = mlflow_peer_server(tmp_path_factory.mktemp("mlflow-server"))
    with server:
        yield server
