"""Model URIs: paths, file:, runs:/, models:/ (file registry and a real MLflow server), mlflow-artifacts:/."""

import json
import os
import subprocess
import time

import pytest

from runtime.errors import InvalidParameter, NotFound
from runtime.models import uris
from tests.models.conftest import run_mlf
from tests.support.mlflow_venv import mlflow_python
from tests.support.processes import free_port


@pytest.mark.parametrize("uri, parsed", [
    ("models:/iris/3", {"name": "iris", "version": "3", "alias": None, "stage": None}),
    ("models:/iris@champion", {"name": "iris", "version": None, "alias": "champion", "stage": None}),
    ("models:/iris/Production", {"name": "iris", "version": None, "alias": None, "stage": "Production"}),
    ("models:/iris/latest", {"name": "iris", "version": None, "alias": None, "stage": "latest"}),
    ("models:/m-0123456789abcdef0123456789abcdef", {"model_id": "m-0123456789abcdef0123456789abcdef"}),
])
def test_models_uri_forms(uri, parsed):
    assert uris.parse_models_uri(uri) == parsed


@pytest.mark.parametrize("uri", ["models:/", "models:/iris", "models:/iris/1/extra", "models:/a@b/c"])
def test_bad_models_uris(uri):
    with pytest.raises(InvalidParameter, match="models:/"):
        uris.parse_models_uri(uri)


def test_missing_paths_and_unknown_schemes(tmp_path):
    with pytest.raises(NotFound):
        uris.resolve_model_uri(str(tmp_path / "none"))
    with pytest.raises(NotFound):
        uris.resolve_model_uri((tmp_path / "none").as_uri())
    with pytest.raises(InvalidParameter, match="Unsupported model location"):
        uris.resolve_model_uri("gopher://host/model")


@pytest.fixture
def logged_run(tmp_path, mlflow_models):
    """A file store whose run holds the skops model under artifacts/model."""
    from runtime.artifacts.repository import get_artifact_repository
    from runtime.store.factory import get_tracking_store

    store_uri = str(tmp_path / "mlruns")
    store = get_tracking_store(store_uri)
    run = store.create_run("0", start_time=int(time.time() * 1000))
    get_artifact_repository(run.info.artifact_uri).log_artifacts(mlflow_models.path("sk_skops"), "model")
    return store_uri, run.info.run_id


def test_runs_uri_resolves_through_the_tracking_store(logged_run, mlflow_models):
    store_uri, run_id = logged_run
    _, body = mlflow_models.payloads()["dataframe_split"]
    result = run_mlf("models", "predict", "-m", f"runs:/{run_id}/model", "--env-manager", "local",
                     input_text=body, env={"MLFLOW_TRACKING_URI": store_uri})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"predictions": mlflow_models.expected["skops"]}


def test_runs_uri_with_unknown_run_or_path(logged_run):
    store_uri, run_id = logged_run
    result = run_mlf("models", "predict", "-m", f"runs:/{run_id}/nothing", "--env-manager", "local",
                     input_text="{}", env={"MLFLOW_TRACKING_URI": store_uri})
    assert result.returncode == 1 and "does not exist" in result.stderr
    result = run_mlf("models", "predict", "-m", "runs:/0123456789abcdef0123456789abcdef/model",
                     "--env-manager", "local", input_text="{}", env={"MLFLOW_TRACKING_URI": store_uri})
    assert result.returncode == 1 and "0123456789abcdef0123456789abcdef" in result.stderr


def test_runs_uri_finds_a_logged_model_of_the_run(tmp_path, mlflow_models):
    """MLflow 3 layout: log_model(name="model") lands in the logged model, not the run's artifacts."""
    from runtime.artifacts.repository import get_artifact_repository
    from runtime.store.factory import get_tracking_store

    store_uri = f"sqlite:///{tmp_path}/mlflow.db"
    store = get_tracking_store(store_uri, artifact_root=str(tmp_path / "artifacts"))
    run = store.create_run("0", start_time=int(time.time() * 1000))
    other = store.create_logged_model("0", name="model")  # same name, no source run: must be skipped
    logged = store.create_logged_model("0", name="model", source_run_id=run.info.run_id)
    get_artifact_repository(logged.artifact_location).log_artifacts(mlflow_models.path("sk_skops"))
    assert other.model_id != logged.model_id
    _, body = mlflow_models.payloads()["dataframe_split"]
    for uri in (f"runs:/{run.info.run_id}/model", f"models:/{logged.model_id}"):
        result = run_mlf("models", "predict", "-m", uri, "--env-manager", "local", input_text=body,
                         env={"MLFLOW_TRACKING_URI": store_uri})
        assert result.returncode == 0, (uri, result.stderr)
        assert json.loads(result.stdout) == {"predictions": mlflow_models.expected["skops"]}


def test_models_uri_through_the_file_registry(logged_run, mlflow_models):
    from runtime.store.factory import get_model_registry_store

    store_uri, run_id = logged_run
    registry = get_model_registry_store(store_uri)
    registry.create_registered_model("iris")
    version = registry.create_model_version("iris", f"runs:/{run_id}/model", run_id=run_id)
    registry.set_registered_model_alias("iris", "champion", version.version)
    registry.close()
    _, body = mlflow_models.payloads()["dataframe_records"]
    for uri in ("models:/iris/1", "models:/iris@champion", "models:/iris/latest"):
        result = run_mlf("models", "predict", "-m", uri, "--env-manager", "local", input_text=body,
                         env={"MLFLOW_TRACKING_URI": store_uri})
        assert result.returncode == 0, (uri, result.stderr)
        assert json.loads(result.stdout) == {"predictions": mlflow_models.expected["skops"]}
    result = run_mlf("models", "predict", "-m", "models:/iris@nobody", "--env-manager", "local",
                     input_text=body, env={"MLFLOW_TRACKING_URI": store_uri})
    assert result.returncode == 1 and "nobody" in result.stderr


_LOG_MODEL = r"""
import sys
import mlflow, mlflow.sklearn
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True, as_frame=True)
model = LogisticRegression(max_iter=1000).fit(X, y)
mlflow.set_tracking_uri(sys.argv[1])
with mlflow.start_run() as run:
    info = mlflow.sklearn.log_model(model, name="model", serialization_format="skops",
                                    input_example=X.head(3), registered_model_name="iris-remote")
MlflowClient().set_registered_model_alias("iris-remote", "champion", "1")
print(run.info.run_id)
print(info.model_uri)
"""


@pytest.mark.slow
def test_models_from_a_real_mlflow_server(tmp_path, mlflow_models):
    """models:/ via the REST registry, runs:/ via the REST store, bytes via mlflow-artifacts:/."""
    python = mlflow_python()
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    server = subprocess.Popen(
        [python, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{tmp_path}/mlflow.db", "--artifacts-destination", str(tmp_path / "art")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        import requests

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        logged = subprocess.run([python, "-c", _LOG_MODEL, url], capture_output=True, text=True, env=environment,
                                timeout=300)
        assert logged.returncode == 0, logged.stderr[-3000:]
        run_id, logged_uri = logged.stdout.split()[-2:]
        _, body = mlflow_models.payloads()["dataframe_split"]
        from runtime.store.rest.store import RestStore

        candidates = ["models:/iris-remote/1", "models:/iris-remote@champion"]
        # MLflow 3 stores log_model output as a logged model: models:/<model_id> and runs:/<run>/model
        # find it through the REST store's logged-model API, once the REST store offers it.
        if hasattr(RestStore, "search_logged_models"):
            candidates += [logged_uri, f"runs:/{run_id}/model"]
        for uri in candidates:
            result = run_mlf("models", "predict", "-m", uri, "--env-manager", "local", input_text=body,
                             env={"MLFLOW_TRACKING_URI": url})
            assert result.returncode == 0, (uri, result.stderr)
            assert json.loads(result.stdout) == {"predictions": mlflow_models.expected["skops"]}
        download_uri = requests.get(url + "/api/2.0/mlflow/model-versions/get-download-uri",
                                    params={"name": "iris-remote", "version": "1"}, timeout=10).json()["artifact_uri"]
        assert download_uri.startswith("mlflow-artifacts:/")
        local = uris.resolve_model_uri(download_uri, dst_path=str(tmp_path / "copy"), tracking_uri=url)
        assert os.path.isfile(os.path.join(local, "MLmodel"))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()
