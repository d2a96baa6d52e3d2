"""End to end: the real MLflow 3.17.2 client logs, registers and loads a model through `mlf server`.

tests/registry/scripts/register_real_client.py runs in mlflow's own venv and
asserts what the client reads back; here we check the server side: the model's
files in --artifacts-destination, the registry rows as mlf's own stores see
them, and models:/ resolution through mlf (registry URI and tracking server).
"""

import json
from pathlib import Path

import pytest

from tests.registry.conftest import backend_uri
from tests.server.live_server import ROOT, LiveServer
from tests.server.test_real_client import run_client

SCRIPT = ROOT / "tests" / "registry" / "scripts" / "register_real_client.py"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "file"])
def test_register_and_load_with_the_real_client(backend, tmp_path, server_database):
    from runtime.models.uris import resolve_model_uri
    from runtime.store.model_registry_resolve import resolve_model_version_uri
    from runtime.store.factory import get_model_registry_store

    destination = tmp_path / "mlartifacts"
    with backend_uri(backend, tmp_path, server_database) as uri, LiveServer(uri, destination) as server:
        out = run_client(server, SCRIPT, f"clf-{backend}")
        summary = json.loads(out.strip().splitlines()[-1])
        model_id = summary["model_id"]
        relative = summary["download_uri"].removeprefix("mlflow-artifacts:/")
        assert relative == f"{summary['experiment_id']}/models/{model_id}/artifacts"
        model_dir = destination / relative
        assert {"MLmodel", "model.skops", "requirements.txt"} <= {p.name for p in model_dir.iterdir()}

        registry = get_model_registry_store(uri)
        try:
            version = registry.get_model_version(f"clf-{backend}", "1")
            assert (version.source, version.model_id, version.run_id) == (
                f"models:/{model_id}", model_id, summary["run_id"])
            assert registry.get_registered_model(f"clf-{backend}").description == "e2e model"
        finally:
            registry.close()
        assert resolve_model_version_uri(f"clf-{backend}", "1", uri) == summary["download_uri"]
        # mlf resolves the same models:/ URI through the tracking server and downloads the files.
        local = resolve_model_uri(f"models:/clf-{backend}/1", dst_path=str(tmp_path / "dl"), tracking_uri=server.url)
        assert {p.name for p in Path(local).iterdir()} == {p.name for p in model_dir.iterdir()}
