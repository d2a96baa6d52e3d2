"""A tree written by hand in MLflow's exact layout (current and legacy shapes) reads correctly."""

import math

import pytest

from runtime.entities import LifecycleStage, RunStatus, ViewType
from runtime.store.file.store import FileStore

EXP = "443197201493158535"
RUN = "e7572704809f4d059772d50fedd2abd2"
LEGACY = "0123456789abcdef0123456789abcdef"
DELETED_RUN = "f97c344ebdce4906ba256a8306e8d523"
GONE = "824292957009371786"
DATASET = "009d99926f80e66f43abbdfa6a15e592"
INPUT = "99cf3c99ad3ca12d9e496b20bfe8eae1"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def mlflow_tree(tmp_path):
    root = tmp_path / "mlruns"
    base = root.as_uri()
    write(root / "0" / "meta.yaml", f"""artifact_location: {base}/0
creation_time: 1795828971026
effective_trace_archival_retention: null
experiment_id: '0'
last_update_time: 1795828971026
lifecycle_stage: active
name: Default
trace_location: null
workspace: default
""")
    (root / ".trash").mkdir()
    write(root / EXP / "meta.yaml", f"""artifact_location: {base}/{EXP}
creation_time: 1795828971031
effective_trace_archival_retention: null
experiment_id: '{EXP}'
last_update_time: 1795828971031
lifecycle_stage: active
name: 'exp: one'
trace_location: null
workspace: default
""")
    write(root / EXP / "tags" / "team", "a/b")
    write(root / EXP / "tags" / "long", "x" * 200)
    run = root / EXP / RUN
    write(run / "meta.yaml", f"""artifact_uri: {base}/{EXP}/{RUN}/artifacts
end_time: 1795828971092
entry_point_name: ''
experiment_id: '{EXP}'
lifecycle_stage: active
run_id: {RUN}
run_name: my run
source_name: ''
source_type: 4
source_version: ''
start_time: 1795828971033
status: 3
tags: []
user_id: unknown
""")
    write(run / "metrics" / "m", "1000 1.5 1\n1001 nan 2\n1002 inf 3\n1003 -inf 4\n")
    write(run / "metrics" / "a" / "b", "1004 3.0 0\n")
    write(run / "metrics" / "d", "7 0.25 2 train abc123\n5 0.5 2 train abc123\n")
    write(run / "params" / "p" / "q", "value with: colon")
    write(run / "tags" / "mlflow.runName", "my run")
    write(run / "tags" / "t" / "nested", "v")
    (run / "artifacts").mkdir()
    write(run / "inputs" / INPUT / "meta.yaml", f"""destination_id: {DATASET}
destination_type: RUN
source_id: {DATASET}
source_type: DATASET
tags:
  mlflow.data.context: train
""")
    write(root / EXP / "datasets" / DATASET / "meta.yaml", """digest: 300830b9
name: dsname
profile: '{"num_rows": 2, "num_elements": 2}'
schema: '{"mlflow_colspec": [{"type": "long", "name": "x", "required": true}]}'
source: '{"tags": {"mlflow.user": "root", "mlflow.source.name": "gen.py", "mlflow.source.type":
  "LOCAL"}}'
source_type: code
""")
    write(run / "outputs" / "m-abc123" / "meta.yaml", """destination_id: m-abc123
destination_type: MODEL_OUTPUT
source_id: m-abc123
source_type: RUN_OUTPUT
step: 5
tags: {}
""")
    # An MLflow 1.x run: run_uuid instead of run_id, integer experiment id, no lifecycle
    # stage, no run_name (only the tag), two-field metric lines.
    legacy = root / EXP / LEGACY
    write(legacy / "meta.yaml", f"""artifact_uri: /old/artifacts/{LEGACY}
end_time: null
entry_point_name: ''
experiment_id: {EXP}
name: ''
run_uuid: {LEGACY}
source_name: ''
source_type: 4
source_version: ''
start_time: 5
status: 1
tags: []
user_id: old
""")
    write(legacy / "tags" / "mlflow.runName", "legacy name")
    write(legacy / "metrics" / "loss", "10 0.5\n20 0.25\n")
    (legacy / "params").mkdir()
    write(root / EXP / DELETED_RUN / "meta.yaml", f"""artifact_uri: {base}/{EXP}/{DELETED_RUN}/artifacts
deleted_time: 1795828971097
end_time: null
entry_point_name: ''
experiment_id: '{EXP}'
lifecycle_stage: deleted
run_id: {DELETED_RUN}
run_name: intrigued-roo-120
source_name: ''
source_type: 4
source_version: ''
start_time: 1795828971093
status: 1
tags: []
user_id: unknown
""")
    write(root / ".trash" / GONE / "meta.yaml", f"""artifact_location: {base}/{GONE}
creation_time: 1795828971099
effective_trace_archival_retention: null
experiment_id: '{GONE}'
last_update_time: 1795828971099
lifecycle_stage: deleted
name: gone
tags:
  k: v
  n/x: '1'
trace_location: null
workspace: default
""")
    # The model registry's folder sits beside the experiments and is not one.
    write(root / "models" / "my-model" / "meta.yaml", "name: my-model\n")
    return root


def test_experiments(mlflow_tree):
    store = FileStore(str(mlflow_tree))
    active = {e.experiment_id: e for e in store.search_experiments(ViewType.ACTIVE_ONLY)}
    assert set(active) == {"0", EXP}
    experiment = active[EXP]
    assert experiment.name == "exp: one"
    assert experiment.tags == {"team": "a/b", "long": "x" * 200}
    assert experiment.artifact_location == f"{mlflow_tree.as_uri()}/{EXP}"
    assert (experiment.creation_time, experiment.last_update_time) == (1795828971031, 1795828971031)
    gone = store.get_experiment(GONE)
    assert gone.lifecycle_stage == LifecycleStage.DELETED and gone.name == "gone"
    # Tags come from the tags folder, never from the stale copy in meta.yaml.
    assert gone.tags == {}
    assert [e.experiment_id for e in store.search_experiments(ViewType.DELETED_ONLY)] == [GONE]
    assert store.get_experiment_by_name("gone").experiment_id == GONE


def test_current_run(mlflow_tree):
    store = FileStore(str(mlflow_tree))
    run = store.get_run(RUN)
    info = run.info
    assert (info.run_name, info.user_id, info.status, info.experiment_id) == ("my run", "unknown", RunStatus.FINISHED, EXP)
    assert (info.start_time, info.end_time) == (1795828971033, 1795828971092)
    assert info.artifact_uri == f"{mlflow_tree.as_uri()}/{EXP}/{RUN}/artifacts"
    assert run.metrics["m"].value == float("-inf") and run.metrics["m"].step == 4
    assert run.metrics["a/b"].value == 3.0
    latest_d = run.metrics["d"]
    assert (latest_d.value, latest_d.timestamp, latest_d.dataset_name, latest_d.dataset_digest) == (0.25, 7, "train", "abc123")
    assert run.params == {"p/q": "value with: colon"}
    assert run.tags == {"mlflow.runName": "my run", "t/nested": "v"}
    [dataset_input] = run.dataset_inputs
    assert dataset_input.dataset.name == "dsname" and dataset_input.dataset.digest == "300830b9"
    assert dataset_input.dataset.source == (
        '{"tags": {"mlflow.user": "root", "mlflow.source.name": "gen.py", "mlflow.source.type": "LOCAL"}}'
    )
    assert dataset_input.tags == {"mlflow.data.context": "train"}
    assert run.model_outputs == [{"model_id": "m-abc123", "step": 5}]
    history = store.get_metric_history(RUN, "m")
    assert [m.step for m in history] == [1, 2, 3, 4]
    assert math.isnan(history[1].value) and history[2].value == float("inf")


def test_legacy_run(mlflow_tree):
    store = FileStore(str(mlflow_tree))
    run = store.get_run(LEGACY)
    assert run.info.run_name == "legacy name"
    assert run.info.lifecycle_stage == LifecycleStage.ACTIVE
    assert run.info.experiment_id == EXP and run.info.status == RunStatus.RUNNING
    assert run.metrics["loss"].value == 0.25 and run.metrics["loss"].step == 0


def test_search_sees_views_and_filters(mlflow_tree):
    store = FileStore(str(mlflow_tree))
    assert {r.info.run_id for r in store.search_runs([EXP])} == {RUN, LEGACY}
    assert [r.info.run_id for r in store.search_runs([EXP], run_view_type=ViewType.DELETED_ONLY)] == [DELETED_RUN]
    assert [r.info.run_id for r in store.search_runs([EXP], "metrics.m < 0")] == [RUN]
    assert [r.info.run_id for r in store.search_runs([EXP], "datasets.context = 'train'")] == [RUN]
    assert [r.info.run_id for r in store.search_runs([EXP], "attributes.run_name = 'legacy name'")] == [LEGACY]
    assert store.get_deleted_runs() == [DELETED_RUN]
    assert store.get_deleted_experiments() == [GONE]


def test_writing_into_an_mlflow_tree_keeps_its_keys(mlflow_tree):
    from runtime.entities import Metric

    store = FileStore(str(mlflow_tree))
    store.restore_run(DELETED_RUN)
    store.log_metric(DELETED_RUN, Metric("x", 1.0, 1, 0))
    assert store.get_run(DELETED_RUN).info.lifecycle_stage == LifecycleStage.ACTIVE
    store.rename_experiment(EXP, "renamed")
    text = (mlflow_tree / EXP / "meta.yaml").read_text()
    assert "workspace: default\n" in text and "name: renamed\n" in text
