"""What mlf writes on disk is what MLflow 3.x's FileStore writes: paths, meta.yaml keys, value formats.

The expected key sets and formats were taken from a tree written by real
mlflow 3.17.2 (experiment meta.yaml carries the trace/workspace keys, run
meta.yaml carries no run_uuid, status is an integer, source_type is 4).
"""

import hashlib
import os
import re

import pytest

from runtime.entities import Dataset, DatasetInput, LifecycleStage, Metric, Param, RunStatus, RunTag
from runtime.store.file.store import FileStore
from tests.file_store.helpers import leftover_temp_files, mlflow_dump, new_run, read_yaml

EXPERIMENT_KEYS = {
    "artifact_location", "creation_time", "effective_trace_archival_retention", "experiment_id",
    "last_update_time", "lifecycle_stage", "name", "trace_location", "workspace",
}
RUN_KEYS = {
    "artifact_uri", "end_time", "entry_point_name", "experiment_id", "lifecycle_stage", "run_id", "run_name",
    "source_name", "source_type", "source_version", "start_time", "status", "tags", "user_id",
}


def test_fresh_root_gets_default_experiment_and_trash(store, root):
    assert sorted(os.listdir(root)) == [".trash", "0"]
    meta_path = root / "0" / "meta.yaml"
    meta = read_yaml(meta_path)
    assert set(meta) == EXPERIMENT_KEYS
    assert meta["experiment_id"] == "0" and meta["name"] == "Default"
    assert meta["artifact_location"] == (root / "0").as_uri()
    assert meta["lifecycle_stage"] == "active" and meta["workspace"] == "default"
    assert meta["creation_time"] == meta["last_update_time"] and isinstance(meta["creation_time"], int)
    # Byte for byte what MLflow's yaml.safe_dump produces, including the quoted '0'.
    assert meta_path.read_text(encoding="utf-8") == mlflow_dump(meta)
    assert "experiment_id: '0'\n" in meta_path.read_text(encoding="utf-8")


def test_existing_empty_root_also_gets_default(root):
    root.mkdir()
    FileStore(str(root))
    assert read_yaml(root / "0" / "meta.yaml")["name"] == "Default"


def test_root_as_file_uri_and_artifact_root_choices(tmp_path, monkeypatch):
    store = FileStore((tmp_path / "by uri").as_uri())
    assert (tmp_path / "by uri" / "0" / "meta.yaml").is_file()
    assert store.get_experiment("0").artifact_location == (tmp_path / "by uri" / "0").as_uri()
    remote = FileStore(str(tmp_path / "r"), "s3://bucket/prefix")
    assert remote.get_experiment("0").artifact_location == "s3://bucket/prefix/0"
    monkeypatch.chdir(tmp_path)
    relative = FileStore(str(tmp_path / "rel"), "arts")
    assert relative.get_experiment("0").artifact_location == f"{tmp_path.as_posix()}/arts/0"


def test_experiment_layout(store, root):
    experiment_id = store.create_experiment("exp: one", tags={"team": "a/b", "nested/key": "v"})
    assert re.fullmatch(r"[1-9][0-9]{17}", experiment_id)
    folder = root / experiment_id
    meta = read_yaml(folder / "meta.yaml")
    assert set(meta) == EXPERIMENT_KEYS
    assert meta["experiment_id"] == experiment_id and meta["name"] == "exp: one"
    assert meta["artifact_location"] == folder.as_uri()
    assert (folder / "meta.yaml").read_text(encoding="utf-8") == mlflow_dump(meta)
    assert (folder / "tags" / "team").read_bytes() == b"a/b"
    assert (folder / "tags" / "nested" / "key").read_bytes() == b"v"


def test_run_layout(store, root):
    experiment_id = store.create_experiment("e")
    run = new_run(store, experiment_id, name="my run", start=1234, tags={"t/nested": "v"})
    run_id = run.info.run_id
    assert re.fullmatch(r"[0-9a-f]{32}", run_id)
    folder = root / experiment_id / run_id
    assert sorted(os.listdir(folder)) == ["artifacts", "meta.yaml", "metrics", "params", "tags"]
    meta = read_yaml(folder / "meta.yaml")
    assert set(meta) == RUN_KEYS
    assert meta == {
        "artifact_uri": f"{(root / experiment_id).as_uri()}/{run_id}/artifacts",
        "end_time": None,
        "entry_point_name": "",
        "experiment_id": experiment_id,
        "lifecycle_stage": "active",
        "run_id": run_id,
        "run_name": "my run",
        "source_name": "",
        "source_type": 4,
        "source_version": "",
        "start_time": 1234,
        "status": 1,
        "tags": [],
        "user_id": "alice",
    }
    assert (folder / "meta.yaml").read_text(encoding="utf-8") == mlflow_dump(meta)
    assert (folder / "tags" / "mlflow.runName").read_bytes() == b"my run"
    assert (folder / "tags" / "t" / "nested").read_bytes() == b"v"


def test_metric_param_tag_files(store, root):
    experiment_id = store.create_experiment("e")
    run_id = new_run(store, experiment_id).info.run_id
    store.log_batch(
        run_id,
        metrics=[Metric("m", 1.5, 1000, 1), Metric("m", float("nan"), 1001, 2), Metric("m", float("inf"), 1002, 3),
                 Metric("m", float("-inf"), 1003, 4), Metric("a/b", 3, 1004, 0),
                 Metric("d", 0.25, 7, 2, dataset_name="train", dataset_digest="abc123")],
        params=[Param("p/q", "value with: colon"), Param("empty", "")],
        tags=[RunTag("note", "line1\nline2")],
    )
    folder = root / experiment_id / run_id
    assert (folder / "metrics" / "m").read_text() == "1000 1.5 1\n1001 nan 2\n1002 inf 3\n1003 -inf 4\n"
    assert (folder / "metrics" / "a" / "b").read_text() == "1004 3.0 0\n"
    assert (folder / "metrics" / "d").read_text() == "7 0.25 2 train abc123\n"
    assert (folder / "params" / "p" / "q").read_bytes() == b"value with: colon"
    assert (folder / "params" / "empty").read_bytes() == b""
    assert (folder / "tags" / "note").read_bytes() == b"line1\nline2"
    assert leftover_temp_files(root) == []


def test_status_end_time_and_rename_are_recorded(store, root):
    experiment_id = store.create_experiment("e")
    run_id = new_run(store, experiment_id).info.run_id
    store.update_run_info(run_id, status=RunStatus.KILLED, end_time=99, run_name="renamed")
    meta = read_yaml(root / experiment_id / run_id / "meta.yaml")
    assert (meta["status"], meta["end_time"], meta["run_name"]) == (5, 99, "renamed")
    assert (root / experiment_id / run_id / "tags" / "mlflow.runName").read_bytes() == b"renamed"
    store.set_tag(run_id, RunTag("mlflow.runName", "via tag"))
    assert read_yaml(root / experiment_id / run_id / "meta.yaml")["run_name"] == "via tag"


def test_deleted_run_records_deleted_time_and_restore_drops_it(store, root):
    experiment_id = store.create_experiment("e")
    run_id = new_run(store, experiment_id).info.run_id
    store.delete_run(run_id)
    meta = read_yaml(root / experiment_id / run_id / "meta.yaml")
    assert meta["lifecycle_stage"] == "deleted" and isinstance(meta["deleted_time"], int)
    assert set(meta) == RUN_KEYS | {"deleted_time"}
    store.restore_run(run_id)
    meta = read_yaml(root / experiment_id / run_id / "meta.yaml")
    assert meta["lifecycle_stage"] == "active" and "deleted_time" not in meta


def test_deleted_experiment_moves_to_trash(store, root):
    experiment_id = store.create_experiment("doomed", tags={"k": "v"})
    run_id = new_run(store, experiment_id).info.run_id
    store.delete_experiment(experiment_id)
    assert not (root / experiment_id).exists()
    folder = root / ".trash" / experiment_id
    meta = read_yaml(folder / "meta.yaml")
    assert meta["lifecycle_stage"] == "deleted"
    # MLflow leaves a copy of the tags in the rewritten meta.yaml; so do we.
    assert meta["tags"] == {"k": "v"}
    run_meta = read_yaml(folder / run_id / "meta.yaml")
    assert run_meta["lifecycle_stage"] == "deleted"
    assert run_meta["deleted_time"] == meta["last_update_time"]
    store.restore_experiment(experiment_id)
    assert (root / experiment_id / run_id).is_dir() and not folder.exists()
    assert read_yaml(root / experiment_id / "meta.yaml")["lifecycle_stage"] == "active"


def test_inputs_outputs_and_datasets_layout(store, root):
    experiment_id = store.create_experiment("e")
    run_id = new_run(store, experiment_id).info.run_id
    dataset = Dataset("dsname", "300830b9", "code", '{"tags": {"a": "b"}}', '{"mlflow_colspec": []}', None)
    store.log_inputs(run_id, datasets=[DatasetInput(dataset, {"mlflow.data.context": "train"})],
                     models=[{"model_id": "m-def456"}])
    store.log_outputs(run_id, [{"model_id": "m-abc123", "step": 5}])
    dataset_id = hashlib.md5(b"dsname300830b9").hexdigest()
    assert read_yaml(root / experiment_id / "datasets" / dataset_id / "meta.yaml") == {
        "digest": "300830b9", "name": "dsname", "profile": None, "schema": '{"mlflow_colspec": []}',
        "source": '{"tags": {"a": "b"}}', "source_type": "code",
    }
    inputs = root / experiment_id / run_id / "inputs"
    dataset_input = hashlib.md5((dataset_id + run_id).encode()).hexdigest()
    assert read_yaml(inputs / dataset_input / "meta.yaml") == {
        "destination_id": dataset_id, "destination_type": "RUN", "source_id": dataset_id,
        "source_type": "DATASET", "tags": {"mlflow.data.context": "train"},
    }
    model_input = hashlib.md5(("m-def456" + run_id).encode()).hexdigest()
    assert read_yaml(inputs / model_input / "meta.yaml") == {
        "destination_id": "m-def456", "destination_type": "RUN", "source_id": "m-def456",
        "source_type": "MODEL", "tags": {},
    }
    assert read_yaml(root / experiment_id / run_id / "outputs" / "m-abc123" / "meta.yaml") == {
        "destination_id": "m-abc123", "destination_type": "MODEL_OUTPUT", "source_id": "m-abc123",
        "source_type": "RUN_OUTPUT", "step": 5, "tags": {},
    }
    run = store.get_run(run_id)
    assert run.dataset_inputs == [DatasetInput(dataset, {"mlflow.data.context": "train"})]
    assert run.model_inputs == [{"model_id": "m-def456"}]
    assert run.model_outputs == [{"model_id": "m-abc123", "step": 5}]


def test_metrics_logged_against_a_logged_model_are_mirrored_into_its_folder(store, root):
    experiment_id = store.create_experiment("e")
    run_id = new_run(store, experiment_id).info.run_id
    (root / experiment_id / "models" / "m-1").mkdir(parents=True)
    store.log_metric(run_id, Metric("acc", 0.5, 10, 1, model_id="m-1"))
    assert (root / experiment_id / "models" / "m-1" / "metrics" / "acc").read_text() == f"10 0.5 1 {run_id}\n"
    # The models folder is not mistaken for a run.
    assert [r.info.run_id for r in store.search_runs([experiment_id])] == [run_id]


@pytest.mark.parametrize("bad_id", ["..", "a/b", ".trash", "x y", ""])
def test_ids_never_become_paths(store, bad_id):
    from runtime.errors import InvalidParameter

    with pytest.raises(InvalidParameter):
        store.get_experiment(bad_id)
    with pytest.raises(InvalidParameter):
        store.get_run(bad_id)


def test_experiment_ids_are_unique_and_lifecycle_default(store):
    ids = {store.create_experiment(f"e{i}") for i in range(20)}
    assert len(ids) == 20
    assert all(store.get_experiment(i).lifecycle_stage == LifecycleStage.ACTIVE for i in ids)
