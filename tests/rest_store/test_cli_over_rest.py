"""The foundation's CLI suite with MLFLOW_TRACKING_URI pointing at `mlf server`: every command
goes through the REST store and the artifacts proxy. (The same commands against a real
`mlflow server` are in test_against_real_mlflow.py, on one shared server.)"""

import pytest

from runtime.server.config import ServerConfig
from tests.cli import test_commands
from tests.cli.helpers import mlf
from tests.rest_store.threaded_server import ThreadedServer

# The CLI tests that do not depend on the store being local.
REST_TESTS = [
    "test_experiment_lifecycle",
    "test_runs_create_list_describe_delete_restore",
    "test_runs_create_by_name_and_env",
    "test_parent_run",
    "test_experiments_csv",
    "test_artifacts_roundtrip",
    "test_artifact_path_traversal_is_refused",
    "test_bad_input_is_one_line_and_writes_nothing",
]
for _name in REST_TESTS:
    globals()[_name] = getattr(test_commands, _name)


@pytest.fixture
def store_uri(tmp_path):
    config = ServerConfig(backend_store_uri=f"sqlite:///{tmp_path / 'server.db'}",
                          artifacts_destination=str(tmp_path / "server-artifacts"))
    with ThreadedServer(config) as server:
        yield server.url


def test_gc_through_a_server_points_at_the_backend_store(tmp_path):
    config = ServerConfig(backend_store_uri=f"sqlite:///{tmp_path / 'server.db'}",
                          artifacts_destination=str(tmp_path / "server-artifacts"))
    with ThreadedServer(config) as server:
        result = mlf("gc", tracking_uri=server.url)
    assert result.returncode == 1
    assert "--backend-store-uri" in result.stderr and result.stderr.count("\n") == 1
