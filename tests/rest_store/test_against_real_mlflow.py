"""mlf's REST store, artifacts repository and CLI against a real `mlflow server` 3.17.2.

One server for the module (it takes ~20 s to start), so every test uses
names of its own.
"""

import json
import re
import uuid

import pytest

from runtime.entities import Metric, Param, RunTag, ViewType
from runtime.errors import AlreadyExists, InvalidParameter, InvalidState, NotFound
from tests.cli.helpers import mlf


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def store(mlflow_server):
    from runtime.store.rest.store import RestStore

    rest = RestStore(mlflow_server.url, environ={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
    yield rest
    rest.close()


def test_experiments(store):
    name = unique("exp")
    experiment_id = store.create_experiment(name, tags={"team": "a"})
    experiment = store.get_experiment(experiment_id)
    assert (experiment.name, experiment.tags) == (name, {"team": "a"})
    assert experiment.artifact_location == f"mlflow-artifacts:/{experiment_id}"
    assert store.get_experiment_by_name(name).experiment_id == experiment_id
    assert store.get_experiment_by_name(unique("missing")) is None
    with pytest.raises(AlreadyExists):
        store.create_experiment(name)
    store.set_experiment_tag(experiment_id, "stage", "dev")
    store.delete_experiment_tag(experiment_id, "team")
    store.rename_experiment(experiment_id, name + "-2")
    assert store.get_experiment(experiment_id).tags == {"stage": "dev"}
    store.delete_experiment(experiment_id)
    deleted = store.search_experiments(view_type=ViewType.DELETED_ONLY)
    assert experiment_id in [e.experiment_id for e in deleted]
    store.restore_experiment(experiment_id)
    found = store.search_experiments(filter_string=f"name = '{name}-2'")
    assert [e.experiment_id for e in found] == [experiment_id]
    with pytest.raises(NotFound):
        store.get_experiment("987654321")


def test_runs_metrics_and_search(store):
    experiment_id = store.create_experiment(unique("runs"))
    run = store.create_run(experiment_id, user_id="u", start_time=1000, tags={"a": "1"}, run_name="first")
    run_id = run.info.run_id
    assert run.info.run_name == "first" and run.tags["a"] == "1"
    store.log_batch(run_id, metrics=[Metric("loss", 1.0 / (i + 1), 1000 + i, i) for i in range(5)],
                    params=[Param("lr", "0.1")], tags=[RunTag("b", "2")])
    store.log_metric(run_id, Metric("nan", float("nan"), 1, 0))
    with pytest.raises(InvalidParameter):
        store.log_param(run_id, Param("lr", "0.2"))
    history = store.get_metric_history(run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2, 3, 4]
    fetched = store.get_run(run_id)
    assert fetched.metrics["loss"].value == 0.2 and fetched.metrics["nan"].value != fetched.metrics["nan"].value
    assert fetched.params == {"lr": "0.1"}
    store.update_run_info(run_id, status="FINISHED", end_time=2000)
    found = store.search_runs([experiment_id], filter_string="metrics.loss < 0.5 and params.lr = '0.1'")
    assert [r.info.run_id for r in found] == [run_id]
    store.delete_run(run_id)
    with pytest.raises(InvalidState):
        store.log_metric(run_id, Metric("m", 1.0, 1, 0))
    store.restore_run(run_id)
    store.delete_tag(run_id, "b")
    assert "b" not in store.get_run(run_id).tags


def test_input_mlflow_accepts_but_mlf_refuses_is_refused_before_sending(store):
    experiment_id = store.create_experiment(unique("strict"))
    run_id = store.create_run(experiment_id, tags={}).info.run_id
    with pytest.raises(InvalidParameter):
        store.set_tag(run_id, RunTag("../k", "v"))
    assert "../k" not in store.get_run(run_id).tags


def test_artifacts_through_mlflows_proxy(store, mlflow_server, tmp_path):
    from runtime.artifacts.http import MlflowArtifactsRepository

    experiment_id = store.create_experiment(unique("art"))
    run = store.create_run(experiment_id, tags={})
    repository = MlflowArtifactsRepository(run.info.artifact_uri, tracking_uri=mlflow_server.url)
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_text("alpha")
    (source / "sub" / "b.bin").write_bytes(b"\x00\x01" * 50_000)
    repository.log_artifacts(str(source), "data")
    listed = repository.list_artifacts("data")
    assert [(i.path, i.is_dir) for i in listed] == [("data/a.txt", False), ("data/sub", True)]
    local = repository.download_artifacts("data", str(tmp_path / "dst"))
    assert (tmp_path / "dst" / "data" / "sub" / "b.bin").read_bytes() == b"\x00\x01" * 50_000
    assert local.endswith("data")
    repository.delete_artifacts("data/a.txt")
    assert [i.path for i in repository.list_artifacts("data")] == ["data/sub"]


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cli_commands_against_mlflow_server(mlflow_server, tmp_path):
    uri = mlflow_server.url
    name = unique("cli")
    experiment_id = re.search(r"with id (\S+)", _ok(mlf("experiments", "create", "-n", name, tracking_uri=uri))).group(1)
    got = json.loads(_ok(mlf("experiments", "get", "-x", experiment_id, "--output", "json", tracking_uri=uri)))
    assert got["name"] == name
    out = _ok(mlf("runs", "create", "--experiment-id", experiment_id, "-t", "team=a", "--run-name", "r1",
                  tracking_uri=uri))
    run_id = re.search(r"with id ([0-9a-f]{32})", out).group(1)
    described = json.loads(_ok(mlf("runs", "describe", "--run-id", run_id, tracking_uri=uri)))
    assert described["data"]["tags"]["team"] == "a"
    single = tmp_path / "single.txt"
    single.write_text("one")
    _ok(mlf("artifacts", "log-artifact", "-l", single, "-r", run_id, "-a", "files", tracking_uri=uri))
    listed = json.loads(_ok(mlf("artifacts", "list", "-r", run_id, "-a", "files", tracking_uri=uri)))
    assert listed == [{"path": "files/single.txt", "is_dir": False, "file_size": 3}]
    path = _ok(mlf("artifacts", "download", "-u", f"runs:/{run_id}/files/single.txt", "-d", tmp_path / "d",
                   tracking_uri=uri)).strip()
    assert open(path).read() == "one"
    csv_lines = _ok(mlf("experiments", "csv", "-x", experiment_id, tracking_uri=uri)).splitlines()
    assert len(csv_lines) == 2 and run_id in csv_lines[1]
    _ok(mlf("runs", "delete", "--run-id", run_id, tracking_uri=uri))
    assert run_id in _ok(mlf("runs", "list", "--experiment-id", experiment_id, "--view", "deleted_only",
                             tracking_uri=uri))
    missing = mlf("experiments", "get", "-x", "987654321", tracking_uri=uri)
    assert missing.returncode == 1 and missing.stderr.startswith("Error: ") and missing.stderr.count("\n") == 1
