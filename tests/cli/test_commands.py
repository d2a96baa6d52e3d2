"""The shipped commands end to end on a file store (and one SQL store), as a user runs them."""

import json
import re

import pytest

from tests.cli.helpers import mlf, tree_snapshot


@pytest.fixture
def store_uri(tmp_path):
    return tmp_path / "mlruns"


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def _create_experiment(uri, name):
    out = _ok(mlf("experiments", "create", "-n", name, tracking_uri=uri))
    return re.search(r"with id (\S+)", out).group(1)


def _create_run(uri, experiment_id, *extra):
    out = _ok(mlf("runs", "create", "--experiment-id", experiment_id, *extra, tracking_uri=uri))
    return re.search(r"with id ([0-9a-f]{32})", out).group(1)


def test_experiment_lifecycle(store_uri):
    experiment_id = _create_experiment(store_uri, "fraud")
    got = json.loads(_ok(mlf("experiments", "get", "-x", experiment_id, "--output", "json", tracking_uri=store_uri)))
    assert got["name"] == "fraud" and got["lifecycle_stage"] == "active"
    table = _ok(mlf("experiments", "get", "-n", "fraud", tracking_uri=store_uri))
    assert f"Experiment Id:" in table and experiment_id in table
    _ok(mlf("experiments", "rename", "-x", experiment_id, "--new-name", "fraud2", tracking_uri=store_uri))
    _ok(mlf("experiments", "delete", "-x", experiment_id, tracking_uri=store_uri))
    listed = json.loads(_ok(mlf("experiments", "search", "--view", "deleted_only", "--output", "json", tracking_uri=store_uri)))
    assert [e["name"] for e in listed] == ["fraud2"]
    _ok(mlf("experiments", "restore", "-x", experiment_id, tracking_uri=store_uri))
    active = _ok(mlf("experiments", "search", "--output", "csv", tracking_uri=store_uri)).splitlines()
    assert active[0] == "Experiment Id,Name,Artifact Location,Lifecycle Stage"
    assert len(active) == 3  # header, fraud2, Default


def test_runs_create_list_describe_delete_restore(store_uri):
    experiment_id = _create_experiment(store_uri, "e")
    run_id = _create_run(store_uri, experiment_id, "--run-name", "base", "-t", "team=a", "-t", "k=v=w",
                         "--description", "first try", "--status", "FAILED")
    described = json.loads(_ok(mlf("runs", "describe", "--run-id", run_id, tracking_uri=store_uri)))
    assert described["info"]["status"] == "FAILED"
    tags = described["data"]["tags"]
    assert tags["team"] == "a" and tags["k"] == "v=w" and tags["mlflow.note.content"] == "first try"
    listed = json.loads(_ok(mlf("runs", "list", "--experiment-id", experiment_id, "--output", "json", tracking_uri=store_uri)))
    assert [r["run_id"] for r in listed] == [run_id]
    _ok(mlf("runs", "delete", "--run-id", run_id, tracking_uri=store_uri))
    assert _ok(mlf("runs", "list", "--experiment-id", experiment_id, "--output", "csv", tracking_uri=store_uri)).strip() == "Date,Name,Run Id,Status"
    deleted = _ok(mlf("runs", "list", "--experiment-id", experiment_id, "--view", "deleted_only", tracking_uri=store_uri))
    assert run_id in deleted
    _ok(mlf("runs", "restore", "--run-id", run_id, tracking_uri=store_uri))


def test_runs_create_by_name_and_env(store_uri):
    _create_experiment(store_uri, "named")
    out = _ok(mlf("runs", "create", tracking_uri=store_uri, env={"MLFLOW_EXPERIMENT_NAME": "named"}))
    assert "status FINISHED" in out


def test_parent_run(store_uri):
    experiment_id = _create_experiment(store_uri, "p")
    parent = _create_run(store_uri, experiment_id)
    child = _create_run(store_uri, experiment_id, "--parent-run-id", parent)
    described = json.loads(_ok(mlf("runs", "describe", "--run-id", child, tracking_uri=store_uri)))
    assert described["data"]["tags"]["mlflow.parentRunId"] == parent


def test_experiments_csv(store_uri, tmp_path):
    experiment_id = _create_experiment(store_uri, "csv")
    _create_run(store_uri, experiment_id, "-t", "x=1")
    target = tmp_path / "out.csv"
    _ok(mlf("experiments", "csv", "-x", experiment_id, "-o", target, tracking_uri=store_uri))
    lines = target.read_text().splitlines()
    assert lines[0].startswith("run_id,run_name,experiment_id") and "tags.x" in lines[0]
    assert len(lines) == 2
    stdout = _ok(mlf("experiments", "csv", "-x", experiment_id, tracking_uri=store_uri))
    assert stdout.splitlines() == lines


def test_artifacts_roundtrip(store_uri, tmp_path):
    experiment_id = _create_experiment(store_uri, "art")
    run_id = _create_run(store_uri, experiment_id)
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_text("alpha")
    (source / "sub" / "b.txt").write_text("beta")
    single = tmp_path / "single.txt"
    single.write_text("one")
    _ok(mlf("artifacts", "log-artifacts", "-l", source, "-r", run_id, "-a", "data", tracking_uri=store_uri))
    _ok(mlf("artifacts", "log-artifact", "-l", single, "-r", run_id, tracking_uri=store_uri))
    top = json.loads(_ok(mlf("artifacts", "list", "-r", run_id, tracking_uri=store_uri)))
    assert top == [{"path": "data", "is_dir": True}, {"path": "single.txt", "is_dir": False, "file_size": 3}]
    inner = json.loads(_ok(mlf("artifacts", "list", "-r", run_id, "-a", "data", tracking_uri=store_uri)))
    assert [i["path"] for i in inner] == ["data/a.txt", "data/sub"]
    destination = tmp_path / "dst"
    path = _ok(mlf("artifacts", "download", "-r", run_id, "-a", "data", "-d", destination, tracking_uri=store_uri)).strip()
    assert (destination / "data" / "sub" / "b.txt").read_text() == "beta" and path.endswith("data")
    by_uri = _ok(mlf("artifacts", "download", "-u", f"runs:/{run_id}/single.txt", "-d", tmp_path / "d2", tracking_uri=store_uri)).strip()
    assert open(by_uri).read() == "one"
    local = _ok(mlf("artifacts", "download", "-u", single.as_uri(), "-d", tmp_path / "d3", tracking_uri=store_uri)).strip()
    assert open(local).read() == "one"


@pytest.mark.parametrize("bad_path", ["../escape", "/etc", "a/../../x", "%2e%2e/x", "%252e%252e/x", "a\\..\\b"])
def test_artifact_path_traversal_is_refused(store_uri, tmp_path, bad_path):
    experiment_id = _create_experiment(store_uri, "trav")
    run_id = _create_run(store_uri, experiment_id)
    single = tmp_path / "f.txt"
    single.write_text("x")
    before = tree_snapshot(tmp_path)
    result = mlf("artifacts", "log-artifact", "-l", single, "-r", run_id, "-a", bad_path, tracking_uri=store_uri)
    assert result.returncode == 1 and result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert tree_snapshot(tmp_path) == before


def test_gc_removes_exactly_what_it_is_told(store_uri):
    experiment_id = _create_experiment(store_uri, "gc")
    keep = _create_run(store_uri, experiment_id)
    doomed = _create_run(store_uri, experiment_id)
    other_deleted = _create_run(store_uri, experiment_id)
    _ok(mlf("runs", "delete", "--run-id", doomed, tracking_uri=store_uri))
    _ok(mlf("runs", "delete", "--run-id", other_deleted, tracking_uri=store_uri))
    # An active run in the list: an error, and nothing removed.
    refused = mlf("gc", "--run-ids", f"{doomed},{keep}", tracking_uri=store_uri)
    assert refused.returncode == 1 and "not in the deleted stage" in refused.stderr
    plan = _ok(mlf("gc", "--run-ids", doomed, "--dry-run", tracking_uri=store_uri))
    assert doomed in plan and other_deleted not in plan
    _ok(mlf("gc", "--run-ids", doomed, tracking_uri=store_uri))
    gone = mlf("runs", "describe", "--run-id", doomed, tracking_uri=store_uri)
    assert gone.returncode == 1
    for run_id in (keep, other_deleted):
        _ok(mlf("runs", "describe", "--run-id", run_id, tracking_uri=store_uri))
    # --older-than: just deleted runs are too young.
    assert other_deleted not in _ok(mlf("gc", "--older-than", "1d", "--dry-run", tracking_uri=store_uri))
    _ok(mlf("gc", tracking_uri=store_uri))
    assert mlf("runs", "describe", "--run-id", other_deleted, tracking_uri=store_uri).returncode == 1


def test_gc_experiment(store_uri):
    experiment_id = _create_experiment(store_uri, "gc-exp")
    run_id = _create_run(store_uri, experiment_id)
    _ok(mlf("experiments", "delete", "-x", experiment_id, tracking_uri=store_uri))
    _ok(mlf("gc", "--experiment-ids", experiment_id, tracking_uri=store_uri))
    assert mlf("experiments", "get", "-x", experiment_id, tracking_uri=store_uri).returncode == 1
    assert mlf("runs", "describe", "--run-id", run_id, tracking_uri=store_uri).returncode == 1


@pytest.mark.parametrize("older_than", ["abc", "1x", "d", "-1d"])
def test_gc_bad_duration(store_uri, older_than):
    result = mlf("gc", "--older-than", older_than, tracking_uri=store_uri)
    assert result.returncode in (1, 2) and "--older-than" in result.stderr


@pytest.mark.parametrize("args", [
    ["experiments", "get", "-x", "../../etc"],
    ["experiments", "delete", "-x", "a/b"],
    ["runs", "describe", "--run-id", "../x"],
    ["runs", "delete", "--run-id", "abc\x01"],
    ["experiments", "create", "-n", "x" * 600],
    ["runs", "create", "--experiment-id", "0", "-t", "novalue"],
    ["runs", "create", "--experiment-id", "0", "-t", "../k=v"],
    ["experiments", "get", "-x", "123456789"],
])
def test_bad_input_is_one_line_and_writes_nothing(store_uri, args):
    _create_experiment(store_uri, "present")
    before = tree_snapshot(store_uri)
    result = mlf(*args, tracking_uri=store_uri)
    assert result.returncode in (1, 2)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert tree_snapshot(store_uri) == before


def test_commands_on_sqlite(tmp_path):
    uri = f"sqlite:///{tmp_path / 'mlf.db'}"
    experiment_id = _create_experiment(uri, "sql")
    run_id = _create_run(uri, experiment_id, "-t", "a=b")
    listed = json.loads(_ok(mlf("runs", "list", "--experiment-id", experiment_id, "--output", "json", tracking_uri=uri)))
    assert [r["run_id"] for r in listed] == [run_id]


def test_db_upgrade_is_idempotent(tmp_path):
    uri = f"sqlite:///{tmp_path / 'up.db'}"
    first = _ok(mlf("db", "upgrade", uri))
    second = _ok(mlf("db", "upgrade", uri))
    assert first == second and "newest version" in first
