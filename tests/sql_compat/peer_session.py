"""Run by a real mlflow (any release from 1.30 on) in its peer environment; never imported by mlf.

    python peer_session.py write URI LABEL   log a full session, print what it wrote (JSON)
    python peer_session.py read URI          print everything the tracking URI holds (JSON)

URI is a database URL (mlflow opens it itself) or an http:// tracking server. The
summary leaves out what legitimately differs between a direct and a served read
(artifact locations, server-made timestamps); everything else must match exactly.
Features the running mlflow lacks are skipped, and the written summary lists the
features it did write, so tests can insist on all of them for 3.17.2.
"""

import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")

import mlflow  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

VERSION = tuple(int(p) for p in mlflow.__version__.split(".")[:2])


def _client(uri):
    mlflow.set_tracking_uri(uri)
    try:
        mlflow.set_registry_uri(uri)
    except Exception:  # noqa: BLE001 - very old releases tie the registry to the tracking URI
        pass
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def write(uri, label):
    client = _client(uri)
    features = ["experiments", "runs", "metrics", "params", "tags", "registry"]
    experiment_id = client.create_experiment(f"compat-{label}", tags={"team": label})
    run = client.create_run(experiment_id, tags={"stage": "train"}, run_name=f"run-{label}") \
        if VERSION >= (1, 28) else client.create_run(experiment_id, tags={"stage": "train"})
    run_id = run.info.run_id
    for step in range(5):
        client.log_metric(run_id, "loss", 1.0 / (step + 1), timestamp=1_700_000_000_000 + step, step=step)
    client.log_metric(run_id, "nan_metric", float("nan"), timestamp=1_700_000_000_100, step=0)
    client.log_param(run_id, "alpha", "0.5")
    client.log_param(run_id, "label", label)
    client.set_tag(run_id, "note", "hello " + label)
    if VERSION >= (2, 4):
        import pandas as pd

        dataset = mlflow.data.from_pandas(pd.DataFrame({"x": [1, 2, 3]}), name=f"data-{label}")
        with mlflow.start_run(run_id=run_id):
            mlflow.log_input(dataset, context="training")
        features.append("datasets")
    model_name = f"model-{label}"
    client.create_registered_model(model_name, tags={"owner": label}, description="described")
    version = client.create_model_version(model_name, f"runs:/{run_id}/model", run_id=run_id, tags={"v": "1"})
    if VERSION >= (2, 3):
        client.set_registered_model_alias(model_name, "champion", version.version)
    if VERSION >= (3, 0):
        model = mlflow.initialize_logged_model(name=f"lm-{label}", experiment_id=experiment_id,
                                               params={"depth": "3"}, tags={"kind": label})
        client.log_metric(run_id, "acc", 0.75, timestamp=1_700_000_000_200, step=0, model_id=model.model_id)
        features.append("logged_models")
        mlflow.set_experiment(experiment_id=experiment_id)
        with mlflow.start_span(name=f"span-{label}") as span:
            span.set_inputs({"question": label})
            span.set_outputs({"answer": 42})
            mlflow.update_current_trace(tags={"checked": label})
        trace_id = span.trace_id
        features.append("traces")
        if VERSION >= (3, 2):  # earlier 3.x refuse assessments outside Databricks
            mlflow.log_feedback(trace_id=trace_id, name="quality", value=True, rationale="fine")
            features.append("assessments")
    client.set_terminated(run_id, end_time=1_700_000_001_000)
    summary = read(uri)
    summary["features"] = features
    return summary


def _experiments(client):
    from mlflow.entities import ViewType

    if hasattr(client, "search_experiments"):
        return client.search_experiments(view_type=ViewType.ALL)
    return client.list_experiments(view_type=ViewType.ALL)


def _runs(client, experiment_id):
    from mlflow.entities import ViewType

    return client.search_runs([experiment_id], run_view_type=ViewType.ALL, max_results=1000)


def _metric_value(value):
    return "NaN" if value != value else value


def _run_summary(client, run):
    data = run.data
    metrics = {}
    for key in sorted(data.metrics):
        history = client.get_metric_history(run.info.run_id, key)
        metrics[key] = sorted((m.step, m.timestamp, _metric_value(m.value)) for m in history)
    inputs = []
    if getattr(run, "inputs", None) is not None:
        for dataset_input in run.inputs.dataset_inputs:
            inputs.append([dataset_input.dataset.name, dataset_input.dataset.digest,
                           sorted((t.key, t.value) for t in dataset_input.tags)])
    return {
        "run_id": run.info.run_id,
        "name": getattr(run.info, "run_name", None),
        "status": run.info.status,
        "lifecycle_stage": run.info.lifecycle_stage,
        "start_time": run.info.start_time,
        "end_time": run.info.end_time,
        "params": dict(sorted(data.params.items())),
        "tags": {k: v for k, v in sorted(data.tags.items()) if not k.startswith("mlflow.")},
        "metrics": metrics,
        "inputs": sorted(inputs),
    }


def _registry(client):
    models = []
    search = client.search_registered_models() if hasattr(client, "search_registered_models") \
        else client.list_registered_models()
    for model in sorted(search, key=lambda m: m.name):
        versions = []
        for version in sorted(client.search_model_versions(f"name='{model.name}'"), key=lambda v: int(v.version)):
            versions.append({
                "version": str(version.version), "source": version.source, "run_id": version.run_id,
                "stage": version.current_stage, "tags": dict(sorted((version.tags or {}).items())),
            })
        models.append({
            "name": model.name, "description": model.description, "tags": dict(sorted((model.tags or {}).items())),
            "aliases": {k: str(v) for k, v in sorted((getattr(model, "aliases", None) or {}).items())},
            "versions": versions,
        })
    return models


def _logged_models(client, experiment_ids):
    if VERSION < (3, 0) or not experiment_ids:
        return []
    found = client.search_logged_models(experiment_ids=experiment_ids)
    return sorted(
        [{"model_id": m.model_id, "name": m.name, "experiment_id": m.experiment_id,
          "params": dict(sorted(m.params.items())),
          "tags": {k: v for k, v in sorted(m.tags.items()) if not k.startswith("mlflow.")},
          "metrics": sorted((x.key, x.value, x.step) for x in (m.metrics or []))} for m in found],
        key=lambda m: m["model_id"])


def _spans(client, trace_id):
    try:
        trace = client.get_trace(trace_id)
    except Exception:  # noqa: BLE001 - a trace whose spans were never stored
        return None
    if trace is None:
        return None
    return sorted((s.name, json.dumps(s.inputs, sort_keys=True), json.dumps(s.outputs, sort_keys=True))
                  for s in trace.data.spans)


def _traces(client, experiment_ids):
    if VERSION < (3, 0) or not experiment_ids:
        return []
    result = []
    for experiment_id in experiment_ids:
        for trace in client.search_traces(experiment_ids=[experiment_id], include_spans=False):
            info = trace.info
            assessments = sorted((a.name, json.dumps(getattr(a, "value", None)), getattr(a, "rationale", None))
                                 for a in (info.assessments or []))
            result.append({
                "trace_id": info.trace_id, "experiment_id": experiment_id,
                "state": str(getattr(info.state, "value", info.state)),
                "tags": {k: v for k, v in sorted(info.tags.items()) if not k.startswith("mlflow.")},
                "spans": _spans(client, info.trace_id), "assessments": assessments,
            })
    return sorted(result, key=lambda t: t["trace_id"])


def read(uri):
    client = _client(uri)
    experiments = []
    for experiment in sorted(_experiments(client), key=lambda e: int(e.experiment_id)):
        experiments.append({
            "experiment_id": experiment.experiment_id, "name": experiment.name,
            "lifecycle_stage": experiment.lifecycle_stage,
            "tags": {k: v for k, v in sorted(experiment.tags.items()) if not k.startswith("mlflow.")},
            "runs": sorted((_run_summary(client, r) for r in _runs(client, experiment.experiment_id)),
                           key=lambda r: r["run_id"]),
        })
    ids = [e["experiment_id"] for e in experiments]
    return {"experiments": experiments, "registry": _registry(client),
            "logged_models": _logged_models(client, ids), "traces": _traces(client, ids)}


if __name__ == "__main__":
    mode, uri = sys.argv[1], sys.argv[2]
    output = write(uri, sys.argv[3]) if mode == "write" else read(uri)
    print(json.dumps(output, sort_keys=True))
