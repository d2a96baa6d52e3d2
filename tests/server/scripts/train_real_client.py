"""A training session with the real MLflow client against MLFLOW_TRACKING_URI.

Run by tests/server/test_real_client.py with the pinned mlflow venv's python.
Asserts as it goes and prints a JSON summary on the last line of stdout.
"""

import json
import os
import sys
import tempfile

import mlflow
from mlflow import MlflowClient
from mlflow.entities import ViewType


def main():
    name = sys.argv[1]
    client = MlflowClient()
    experiment_id = mlflow.create_experiment(name, tags={"team": "e2e"})
    mlflow.set_experiment(name)
    workdir = tempfile.mkdtemp()

    with mlflow.start_run(run_name="train") as run:
        run_id = run.info.run_id
        mlflow.log_param("alpha", 0.5)
        mlflow.log_params({"l1_ratio": 0.1, "solver": "lbfgs"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.91, "f1": 0.85}, step=1)
        mlflow.log_metric("weird", float("nan"), step=0)
        mlflow.set_tag("stage", "e2e")
        mlflow.set_tags({"k1": "v1", "k2": "v2"})
        single = os.path.join(workdir, "single.txt")
        with open(single, "w") as handle:
            handle.write("single file\n")
        mlflow.log_artifact(single)
        tree = os.path.join(workdir, "tree")
        os.makedirs(os.path.join(tree, "sub"))
        with open(os.path.join(tree, "a.txt"), "w") as handle:
            handle.write("a\n")
        with open(os.path.join(tree, "sub", "b.bin"), "wb") as handle:
            handle.write(os.urandom(300_000))
        mlflow.log_artifacts(tree, artifact_path="dir")
        mlflow.log_text("hello notes", "notes/hello.txt")
        mlflow.log_dict({"a": 1, "b": [1, 2]}, "config/c.json")

    with mlflow.start_run(run_name="failing") as failing:
        failing_id = failing.info.run_id
        mlflow.log_metric("loss", 5.0)
        mlflow.log_param("alpha", 0.9)
    client.set_terminated(failing_id, status="FAILED")

    fetched = client.get_run(run_id)
    assert fetched.data.params == {"alpha": "0.5", "l1_ratio": "0.1", "solver": "lbfgs"}, fetched.data.params
    assert fetched.data.metrics["loss"] == 0.2, fetched.data.metrics
    assert fetched.data.metrics["acc"] == 0.91
    assert fetched.data.metrics["weird"] != fetched.data.metrics["weird"], "NaN metric must come back as NaN"
    assert fetched.data.tags["stage"] == "e2e" and fetched.data.tags["k2"] == "v2"
    assert fetched.info.status == "FINISHED"
    assert fetched.info.artifact_uri.startswith("mlflow-artifacts:/"), fetched.info.artifact_uri
    history = client.get_metric_history(run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2, 3, 4], history
    assert [round(m.value, 4) for m in history] == [1.0, 0.5, 0.3333, 0.25, 0.2]

    top = sorted(f.path for f in client.list_artifacts(run_id))
    assert top == ["config", "dir", "notes", "single.txt"], top
    inner = sorted((f.path, f.is_dir) for f in client.list_artifacts(run_id, "dir"))
    assert inner == [("dir/a.txt", False), ("dir/sub", True)], inner
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="dir", dst_path=os.path.join(workdir, "dl"))
    with open(os.path.join(local, "sub", "b.bin"), "rb") as handle:
        with open(os.path.join(tree, "sub", "b.bin"), "rb") as original:
            assert handle.read() == original.read()
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/hello.txt") == "hello notes"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/c.json") == {"a": 1, "b": [1, 2]}

    found = mlflow.search_runs([experiment_id], filter_string="metrics.loss < 1 and params.alpha = '0.5'",
                               output_format="list")
    assert [r.info.run_id for r in found] == [run_id], found
    failed = client.search_runs([experiment_id], "attributes.status = 'FAILED'")
    assert [r.info.run_id for r in failed] == [failing_id]
    ordered = client.search_runs([experiment_id], order_by=["metrics.loss DESC"])
    assert [r.info.run_id for r in ordered] == [failing_id, run_id]
    tagged = client.search_runs([experiment_id], "tags.k1 = 'v1'")
    assert [r.info.run_id for r in tagged] == [run_id]

    client.delete_run(failing_id)
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == [run_id]
    deleted = client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)
    assert [r.info.run_id for r in deleted] == [failing_id]
    client.restore_run(failing_id)
    assert len(client.search_runs([experiment_id])) == 2

    assert client.get_experiment_by_name(name).tags["team"] == "e2e"
    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    assert name not in [e.name for e in client.search_experiments()]
    client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"
    client.rename_experiment(experiment_id, name + "-renamed")
    assert client.get_experiment(experiment_id).name == name + "-renamed"

    print(json.dumps({"experiment_id": experiment_id, "run_id": run_id, "failing_id": failing_id}))


if __name__ == "__main__":
    main()
