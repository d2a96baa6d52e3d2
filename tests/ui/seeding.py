"""Seed a store for the browser suite and the UI benchmark, in-process and fast (no server round trips).

The store is opened with mlflow-artifacts:/ as the artifact root, so a server started afterwards with
--artifacts-destination DEST serves the files written under DEST/<experiment>/<run>/artifacts.
"""

import math
from pathlib import Path

from tests.ui.conftest import ARTIFACTS, HOSTILE, write_trace

PROXY_ROOT = "mlflow-artifacts:/"


def open_store(uri):
    from runtime.store.factory import get_tracking_store

    return get_tracking_store(uri, PROXY_ROOT)


def write_artifacts(destination, run, files):
    relative = run.info.artifact_uri[len("mlflow-artifacts:"):].lstrip("/")
    root = Path(destination) / relative
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def log_run(store, experiment_id, name, params=(), metrics=(), tags=None, start=1_700_000_000_000, end=None):
    from runtime.entities import Metric, Param, RunTag

    run = store.create_run(experiment_id, user_id="ui-test", start_time=start, tags=tags or {}, run_name=name)
    metric_list = [Metric(key, value, timestamp, step) for key, value, timestamp, step in metrics]
    for index in range(0, max(len(metric_list), 1), 1000):
        store.log_batch(run.info.run_id, metrics=metric_list[index:index + 1000],
                        params=[Param(k, v) for k, v in params] if index == 0 else [],
                        tags=[RunTag("mlflow.source.name", "train.py")] if index == 0 else [])
    if end:
        store.update_run_info(run.info.run_id, status="FINISHED", end_time=end)
    return store.get_run(run.info.run_id)


def seed_demo(uri, destination, runs=30):
    """A small, hostile-named experiment for the browser suite: nested runs, charts, every preview kind, a trace."""
    store = open_store(uri)
    try:
        experiment_id = store.create_experiment("demo " + HOSTILE, tags={"team": HOSTILE})
        ids, parent = [], None
        for index in range(runs):
            tags = {"mlflow.parentRunId": parent} if parent and index % 3 else {}
            run = log_run(store, experiment_id, f"run {index:02d} {HOSTILE}" if index % 5 == 0 else f"run {index:02d}",
                          params=[("lr", str(round(0.01 * (index + 1), 3))), ("model", ["tree", "linear"][index % 2]),
                                  ("note", HOSTILE)],
                          metrics=[(key, (math.exp(-step / (50 + index)) + 0.02 * math.sin(step + index)) * scale,
                                    1_700_000_000_000 + step * 1000, step)
                                   for key, scale in (("loss", 1.0), ("accuracy", -1.0)) for step in range(300)],
                          tags=tags, start=1_700_000_000_000 + index * 60_000,
                          end=1_700_000_000_000 + index * 60_000 + 30_000 + index * 1000)
            if index % 3 == 0:
                parent = run.info.run_id
            ids.append(run.info.run_id)
        write_artifacts(destination, store.get_run(ids[0]), ARTIFACTS)
        trace_id, span_ids = write_trace(store, experiment_id, span_count=40, fan_out=3)
        return {"experiment_id": experiment_id, "runs": ids, "trace_id": trace_id, "span_ids": span_ids}
    finally:
        store.close()


def seed_registry(uri, run_id, source):
    from runtime.store.factory import get_model_registry_store

    registry = get_model_registry_store(uri)
    try:
        registry.create_registered_model("fraud-detector", tags={"owner": HOSTILE}, description="Scores **card** payments.")
        version = registry.create_model_version("fraud-detector", source, run_id=run_id)
        registry.set_registered_model_alias("fraud-detector", "champion", version.version)
        return "fraud-detector", version.version
    finally:
        registry.close()
